"""Reference WS-flex edge lists, for WsFlexTest.

A transcription of the WS-flex generator released with "Graph Structure of Neural Networks"
(graph2nn: networkx graph, Python's random module), run once with Python 3.11 and networkx 3.6:

    python3 make_wsflex_reference.py

writes one file per case, `n_k_p_seed.txt`, edges `u v` with u < v in ascending order.
"""
import random

import networkx as nx


def compute_count(channel, group):
    divide = channel // group
    remain = channel % group
    out = [divide] * group
    for i in range(remain):
        out[i] += 1
    return out


def ws_graph(n, k, p, rng):
    edge_num = int(round(k * n / 2))
    count = compute_count(edge_num, n)
    G = nx.Graph()
    for i in range(n):
        source = [i] * count[i]
        target = [node % n for node in range(i + 1, i + count[i] + 1)]
        G.add_edges_from(zip(source, target))
    nodes = list(G.nodes())
    for i in range(n):
        u = i
        target = [node % n for node in range(i + 1, i + count[i] + 1)]
        for v in target:
            if rng.random() < p:
                w = rng.choice(nodes)
                while w == u or G.has_edge(u, w):
                    w = rng.choice(nodes)
                    if G.degree(u) >= n - 1:
                        break
                else:
                    G.remove_edge(u, v)
                    G.add_edge(u, w)
    return G


def connected_ws_graph(n, k, p, seed, tries=100):
    rng = random.Random(seed)
    for _ in range(tries):
        G = ws_graph(n, k, p, rng)
        if nx.is_connected(G):
            return G
    raise RuntimeError("disconnected")


CASES = [
    (64, 0.36550103277902246 * 64, 0.09883558349459179, 6),
    (64, 8.0, 1.0, 4),
    (64, 62.5, 0.7, 11),
    (16, 4.0, 0.9, 0),
    (100, 7.3, 0.5, 3),
    (130, 20.0, 0.25, 29),
    (5, 3.0, 1.0, 2),
]

if __name__ == "__main__":
    for n, k, p, seed in CASES:
        G = connected_ws_graph(n, k, p, seed)
        edges = sorted(tuple(sorted(e)) for e in G.edges())
        with open(f"{n}_{k!r}_{p!r}_{seed}.txt", "w") as f:
            f.write(f"# networkx/random transcription: n={n} k={k!r} p={p!r} seed={seed}\n")
            for u, v in edges:
                f.write(f"{u} {v}\n")
