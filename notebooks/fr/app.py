"""Le app.py du cours, corrigé pour un Redis Cluster (le notebook 03 le lance : python app.py).

Le cours utilisait redis.Redis, un client pour UN seul serveur : sur un cluster, un nœud
répond « MOVED » pour chaque clé dont il ne sert pas le slot, et redis.Redis abandonne.
RedisCluster lit la carte des slots, envoie chaque commande au bon nœud et suit MOVED quand
la carte change. Donnez-lui l'adresse de n'importe quel nœud : il trouve les autres.
"""
import os

from redis.cluster import RedisCluster

# N'importe quel nœud du cluster convient ; par défaut, le premier nœud de l'atelier.
url = os.environ.get("REDIS_CLUSTER_URL", "redis://127.0.0.1:7000")
rc = RedisCluster.from_url(url, decode_responses=True)

rc.set("name", "kheir")

print(rc.get("name"))
