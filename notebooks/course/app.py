# The course's app.py, exactly as written in "Atelier Cluster Redis", Part 3.2.
# Notebook 03 runs it to show why it fails on a cluster; notebooks/app.py is the fixed one.
import redis

r = redis.Redis(host='localhost', port=6379, db=0)

r.set('name', 'kheir')

print(r.get('name'))
