#!/usr/bin/env python3
"""Generate the relgraph graph-metrics test corpus.

What it makes (in the folder this script lives in):
  * g000.txt, g001.txt, ...  -- one graph per file, relgraph edge-list format:
        # relgraph nodes=N directed=false|true
        # <how the graph was made>
        u v
        ...
    Nodes are 0..N-1.  Undirected graphs list each edge once with u < v;
    directed graphs list each arc u->v.  Lines are sorted ascending and there
    are no self-loops.
  * expected.csv -- one row per graph file with the reference values computed
    by networkx on the undirected simple graph (a directed graph is first
    symmetrised with G.to_undirected(), and `edges` is the symmetrised count):
        clustering   = nx.average_clustering
        path_length  = nx.average_shortest_path_length (empty if disconnected)
        efficiency   = nx.global_efficiency
        diameter     = nx.diameter (empty if disconnected)
        density      = nx.density
        degree_mean / degree_std = numpy mean / population std (ddof=0)
    nodes, edges and diameter are written as integers; every other column is
    written as repr(float(value)) (full precision), so where networkx returns
    the int 0 (e.g. path_length and efficiency of a single node, density of
    an edgeless graph) the cell reads 0.0.
    The measures are computed from the graph as re-read from its file.

It was run once with networkx 3.6 / numpy 2.4 / Python 3.11 and its output
is committed alongside it.  It is deterministic (all generators use fixed
seeds).  To regenerate, run from this folder:

    python3 make_corpus.py
"""
import csv
import glob
import os

import networkx as nx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def spec():
    """Yield (description, graph) pairs in file order."""
    # --- tiny graphs
    yield "networkx.empty_graph(1)", nx.empty_graph(1)
    yield "networkx.empty_graph(2)", nx.empty_graph(2)
    yield "networkx.path_graph(2)", nx.path_graph(2)
    yield "networkx.empty_graph(3)", nx.empty_graph(3)
    yield "networkx.path_graph(3)", nx.path_graph(3)
    yield "networkx.complete_graph(3)", nx.complete_graph(3)
    # --- paths
    for n in (4, 10, 64, 65, 127):
        yield f"networkx.path_graph({n})", nx.path_graph(n)
    # --- stars (star_graph(k) has k+1 nodes)
    for k in (4, 15, 63, 128):
        yield f"networkx.star_graph({k})", nx.star_graph(k)
    # --- cycles
    for n in (4, 5, 16, 63, 128):
        yield f"networkx.cycle_graph({n})", nx.cycle_graph(n)
    # --- complete graphs
    for n in (4, 5, 16, 40, 65):
        yield f"networkx.complete_graph({n})", nx.complete_graph(n)
    # --- empty graphs
    for n in (5, 64):
        yield f"networkx.empty_graph({n})", nx.empty_graph(n)
    # --- trees
    yield "networkx.balanced_tree(2, 4)", nx.balanced_tree(2, 4)
    yield "networkx.balanced_tree(3, 3)", nx.balanced_tree(3, 3)
    for n, s in ((20, 1), (100, 2), (129, 3)):
        yield (f"networkx.random_labeled_tree({n}, seed={s})",
               nx.random_labeled_tree(n, seed=s))
    # --- G(n, m) random graphs, low and high density
    gnm = {5: (5, 8), 16: (24, 90), 40: (60, 500), 64: (100, 1500),
           65: (110, 1600), 100: (150, 3500), 130: (200, 6000),
           200: (300, 12000)}
    s = 10
    for n, (lo, hi) in gnm.items():
        for m in (lo, hi):
            yield (f"networkx.gnm_random_graph({n}, {m}, seed={s})",
                   nx.gnm_random_graph(n, m, seed=s))
            s += 1
    # --- sizes around the 64 / 128 word boundaries
    for n in (63, 64, 65, 127, 128, 129):
        m = 4 * n
        yield (f"networkx.gnm_random_graph({n}, {m}, seed={n})",
               nx.gnm_random_graph(n, m, seed=n))
    # --- Watts-Strogatz
    yield ("networkx.connected_watts_strogatz_graph(30, 4, 0.1, seed=5)",
           nx.connected_watts_strogatz_graph(30, 4, 0.1, seed=5))
    yield ("networkx.watts_strogatz_graph(64, 4, 0.3, seed=6)",
           nx.watts_strogatz_graph(64, 4, 0.3, seed=6))
    yield ("networkx.connected_watts_strogatz_graph(100, 6, 0.2, seed=7)",
           nx.connected_watts_strogatz_graph(100, 6, 0.2, seed=7))
    yield ("networkx.watts_strogatz_graph(129, 8, 0.05, seed=8)",
           nx.watts_strogatz_graph(129, 8, 0.05, seed=8))
    # --- Barabasi-Albert
    yield ("networkx.barabasi_albert_graph(50, 2, seed=1)",
           nx.barabasi_albert_graph(50, 2, seed=1))
    yield ("networkx.barabasi_albert_graph(128, 3, seed=2)",
           nx.barabasi_albert_graph(128, 3, seed=2))
    yield ("networkx.barabasi_albert_graph(200, 1, seed=3)",
           nx.barabasi_albert_graph(200, 1, seed=3))
    # --- disconnected graphs
    yield ("networkx.disjoint_union(complete_graph(5), path_graph(4))",
           nx.disjoint_union(nx.complete_graph(5), nx.path_graph(4)))
    yield ("networkx.disjoint_union(cycle_graph(32), cycle_graph(33))",
           nx.disjoint_union(nx.cycle_graph(32), nx.cycle_graph(33)))
    g = nx.star_graph(9)
    g.add_nodes_from(range(10, 13))
    yield "networkx.star_graph(9) plus isolated nodes 10, 11, 12", g
    g = nx.relabel_nodes(nx.complete_graph(6), {i: i + 1 for i in range(6)})
    g.add_node(0)
    yield "networkx.complete_graph(6) relabelled to 1..6, plus isolated node 0", g
    g = nx.gnm_random_graph(40, 120, seed=3)
    g.add_nodes_from(range(40, 45))
    yield "networkx.gnm_random_graph(40, 120, seed=3) plus isolated nodes 40..44", g
    yield ("networkx.disjoint_union(gnm_random_graph(60, 400, seed=4), "
           "gnm_random_graph(69, 500, seed=5))",
           nx.disjoint_union(nx.gnm_random_graph(60, 400, seed=4),
                             nx.gnm_random_graph(69, 500, seed=5)))
    # --- directed graphs (measures use the symmetrised graph)
    yield "networkx.DiGraph with arcs 0->1 and 1->0", nx.DiGraph([(0, 1), (1, 0)])
    yield "networkx.DiGraph with arcs 0->1, 1->2 (directed path)", nx.DiGraph([(0, 1), (1, 2)])
    yield "networkx.DiGraph with arcs 0->1, 1->2, 2->0 (directed 3-cycle)", nx.DiGraph([(0, 1), (1, 2), (2, 0)])
    yield "networkx.DiGraph with arcs 1->0, 2->0, 3->0, 4->0 (in-star)", nx.DiGraph([(i, 0) for i in range(1, 5)])
    for n, m, sd in ((10, 15, 21), (16, 60, 22), (40, 200, 23), (64, 500, 24),
                     (65, 2000, 25), (129, 600, 26), (30, 20, 27)):
        yield (f"networkx.gnm_random_graph({n}, {m}, directed=True, seed={sd})",
               nx.gnm_random_graph(n, m, directed=True, seed=sd))


def write_graph(path, desc, g):
    n = g.number_of_nodes()
    assert set(g.nodes()) == set(range(n)), desc
    directed = g.is_directed()
    edges = []
    for u, v in g.edges():
        assert u != v, desc
        if not directed and u > v:
            u, v = v, u
        edges.append((u, v))
    edges.sort()
    assert len(set(edges)) == len(edges), desc
    with open(path, "w", newline="\n") as f:
        f.write(f"# relgraph nodes={n} directed={'true' if directed else 'false'}\n")
        f.write(f"# {desc}\n")
        for u, v in edges:
            f.write(f"{u} {v}\n")


def read_graph(path):
    with open(path) as f:
        header = f.readline().split()
        kv = dict(t.split("=") for t in header[2:])
        n, directed = int(kv["nodes"]), kv["directed"] == "true"
        g = nx.DiGraph() if directed else nx.Graph()
        g.add_nodes_from(range(n))
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            u, v = map(int, line.split())
            g.add_edge(u, v)
    return g


def fmt(x, integral):
    if x is None:
        return ""
    if integral:
        return str(int(x))
    return repr(float(x))


INTEGRAL = [True, True, False, False, False, True, False, False, False]


def measures(g):
    if g.is_directed():
        g = g.to_undirected()
    connected = nx.is_connected(g)
    deg = np.array([d for _, d in sorted(g.degree())], dtype=float)
    return [
        g.number_of_nodes(),
        g.number_of_edges(),
        nx.average_clustering(g),
        nx.average_shortest_path_length(g) if connected else None,
        nx.global_efficiency(g),
        nx.diameter(g) if connected else None,
        nx.density(g),
        deg.mean(),
        deg.std(ddof=0),
    ]


def main():
    for old in glob.glob(os.path.join(HERE, "g[0-9][0-9][0-9].txt")):
        os.remove(old)
    rows = []
    for i, (desc, g) in enumerate(spec()):
        name = f"g{i:03d}.txt"
        path = os.path.join(HERE, name)
        write_graph(path, desc, g)
        vals = measures(read_graph(path))
        rows.append([name] + [fmt(x, b) for x, b in zip(vals, INTEGRAL)])
    with open(os.path.join(HERE, "expected.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["file", "nodes", "edges", "clustering", "path_length",
                    "efficiency", "diameter", "density", "degree_mean",
                    "degree_std"])
        w.writerows(rows)
    print(f"wrote {len(rows)} graphs")


if __name__ == "__main__":
    main()
