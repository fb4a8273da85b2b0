package org.relgraph.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import org.relgraph.engine.BackendProvider;
import org.relgraph.engine.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code relgraph backends}: the discovered backends, whether each can run here, and why not. */
@Command(
    name = "backends",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "List the backends that --backend accepts (in train, evaluate and sweep; bench takes cpu"
          + " only): name, whether it is available on this machine and why not, its devices,"
          + " modes, instruction set and most threads.",
      "With --json: one JSON array, an object per backend with the fields name, available, cause"
          + " (null when available), devices, modes, isa and max_threads."
    })
final class BackendsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Option(names = "--json", description = "print the list as one JSON array")
  boolean json;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      JsonArray all = new JsonArray();
      for (BackendProvider p : Backends.all()) {
        all.add(toJson(p));
      }
      out.println(new GsonBuilder().disableHtmlEscaping().serializeNulls().create().toJson(all));
      out.flush();
      return;
    }
    for (BackendProvider p : Backends.all()) {
      BackendProvider.Capabilities c = p.capabilities();
      out.println(
          p.name()
              + "  available: "
              + (p.isAvailable() ? "yes" : "no (" + p.unavailabilityCause().orElse("") + ")"));
      out.println("  devices: " + String.join(", ", c.devices()));
      out.println("  modes: " + String.join(", ", c.modes()));
      out.println("  isa: " + c.isa());
      out.println("  max threads: " + c.maxThreads());
    }
    out.flush();
  }

  private static JsonObject toJson(BackendProvider p) {
    BackendProvider.Capabilities c = p.capabilities();
    JsonObject o = new JsonObject();
    o.addProperty("name", p.name());
    o.addProperty("available", p.isAvailable());
    o.addProperty("cause", p.unavailabilityCause().orElse(null));
    JsonArray devices = new JsonArray();
    c.devices().forEach(devices::add);
    o.add("devices", devices);
    JsonArray modes = new JsonArray();
    c.modes().forEach(modes::add);
    o.add("modes", modes);
    o.addProperty("isa", c.isa());
    o.addProperty("max_threads", c.maxThreads());
    return o;
  }
}
