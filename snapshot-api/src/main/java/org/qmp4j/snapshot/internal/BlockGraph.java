package org.qmp4j.snapshot.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.qmp4j.core.transport.Json;

/**
 * The block graph from {@code x-debug-query-block-graph}: which node is whose {@code backing} or
 * {@code file} child, and which block jobs hold which nodes. The only exact source of these links;
 * the flat node list has to be matched by file name instead.
 */
final class BlockGraph {
    static final String BLOCK_DRIVER = "block-driver";
    static final String BLOCK_JOB = "block-job";

    private record Node(long id, String type, String name) {
    }

    private record Edge(long parent, long child, String name) {
    }

    private record Raw(List<Node> nodes, List<Edge> edges) {
    }

    private final Map<Long, Node> byId = new HashMap<>();
    private final Map<String, Node> drivers = new HashMap<>();
    private final List<Edge> edges;

    private BlockGraph(Raw raw) {
        for (Node n : raw.nodes() == null ? List.<Node>of() : raw.nodes()) {
            byId.put(n.id(), n);
            if (BLOCK_DRIVER.equals(n.type())) {
                drivers.put(n.name(), n);
            }
        }
        this.edges = raw.edges() == null ? List.of() : List.copyOf(raw.edges());
    }

    /** Reads the return value of {@code x-debug-query-block-graph}. */
    static BlockGraph parse(JsonNode graph) {
        return new BlockGraph(Json.convert("x-debug-query-block-graph", graph, Raw.class));
    }

    /** The child node that {@code node} holds under the edge {@code edge} ({@code backing}, {@code file}). */
    Optional<String> child(String node, String edge) {
        Node parent = drivers.get(node);
        if (parent == null) {
            return Optional.empty();
        }
        return edges.stream()
                .filter(e -> e.parent() == parent.id() && edge.equals(e.name()))
                .map(e -> byId.get(e.child()))
                .filter(c -> c != null && BLOCK_DRIVER.equals(c.type()))
                .map(Node::name)
                .findFirst();
    }

    /** Names of everything that holds {@code node} as a child: nodes, backends, jobs. */
    List<String> parents(String node) {
        Node child = drivers.get(node);
        List<String> result = new ArrayList<>();
        if (child != null) {
            for (Edge e : edges) {
                Node p = e.child() == child.id() ? byId.get(e.parent()) : null;
                if (p != null) {
                    result.add(p.type() + " " + p.name());
                }
            }
        }
        return result;
    }

    /** Ids of the block jobs that hold any of {@code nodes}. */
    Set<String> jobsUsing(Collection<String> nodes) {
        Set<Long> ids = new HashSet<>();
        for (String name : nodes) {
            Node n = drivers.get(name);
            if (n != null) {
                ids.add(n.id());
            }
        }
        Set<String> jobs = new LinkedHashSet<>();
        for (Edge e : edges) {
            Node p = byId.get(e.parent());
            if (ids.contains(e.child()) && p != null && BLOCK_JOB.equals(p.type())) {
                jobs.add(p.name());
            }
        }
        return jobs;
    }
}
