package dev.cadre.zone;

import static dev.cadre.zone.ZoneSimulator.err;
import static dev.cadre.zone.ZoneSimulator.ok;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * zfs: snapshot -r, list, destroy, set quota, and send -R [-I] / recv [-F] with the receive rules
 * of libzfs: a full stream needs a new dataset, an incremental one needs the base snapshot as the
 * target's newest and an unmodified target unless -F rolls it back. Every zone dataset is shown with
 * a ROOT child (as ipkg-style brands have), so recursive listings carry child snapshots too.
 */
final class SimZfs {
  private static final String MAGIC = "SIMZFS-STREAM-1";

  private final SimState state;

  SimZfs(SimState state) {
    this.state = state;
  }

  CommandResult run(List<String> a, byte[] stdin) {
    String cmd = String.join(" ", a);
    String last = a.get(a.size() - 1);
    if (cmd.startsWith("zfs snapshot -r ")) {
      return snapshot(last);
    }
    if (cmd.startsWith("zfs list -H -t snapshot -o name -r ")) {
      SimState.Dataset d = state.datasets.get(last);
      if (d == null) {
        return err(1, "cannot open '" + last + "': dataset does not exist");
      }
      StringBuilder s = new StringBuilder();
      d.snapshots.keySet().forEach(n -> s.append(d.name).append('@').append(n).append('\n'));
      if (!d.name.equals("zones")) {
        d.snapshots.keySet().forEach(n -> s.append(d.name).append("/ROOT@").append(n).append('\n'));
      }
      return ok(s.toString());
    }
    if (cmd.startsWith("zfs list -H -o name ")) {
      return state.datasets.containsKey(last) ? ok(last + "\n") : err(1, "cannot open '" + last + "': dataset does not exist");
    }
    if (cmd.startsWith("zfs list -Hp -o used,avail ")) {
      long used = state.datasets.values().stream().mapToLong(SimState.Dataset::used).sum();
      return ok(used + "\t" + (100L << 30) + "\n");
    }
    if (cmd.startsWith("zfs set quota=") && a.size() == 4) {
      SimState.Dataset d = state.datasets.get(last);
      if (d == null) {
        return err(1, "cannot open '" + last + "': dataset does not exist");
      }
      d.quota = a.get(2).substring("quota=".length());
      return ok("");
    }
    if (cmd.startsWith("zfs destroy -r ")) {
      return destroy(last);
    }
    if (cmd.startsWith("zfs send -R ")) {
      return send(a);
    }
    if (cmd.startsWith("zfs recv ")) {
      return receive(last, a.contains("-F"), stdin);
    }
    return err(2, "simulator: '" + cmd + "' is not simulated");
  }

  private CommandResult snapshot(String name) {
    int at = name.indexOf('@');
    SimState.Dataset d = at < 0 ? null : state.datasets.get(name.substring(0, at));
    if (d == null) {
      return err(1, "cannot open '" + (at < 0 ? name : name.substring(0, at)) + "': dataset does not exist");
    }
    String snap = name.substring(at + 1);
    if (d.snapshots.containsKey(snap)) {
      return err(1, "cannot create snapshot '" + name + "': dataset already exists");
    }
    d.snapshots.put(snap, d.live.copy());
    d.modified = false;
    return ok("");
  }

  private CommandResult destroy(String name) {
    int at = name.indexOf('@');
    if (at < 0) {
      if (state.datasets.remove(name) == null) {
        return err(1, "cannot open '" + name + "': dataset does not exist");
      }
      return ok("");
    }
    SimState.Dataset d = state.datasets.get(name.substring(0, at));
    if (d == null || d.snapshots.remove(name.substring(at + 1)) == null) {
      return err(1, "could not find any snapshots to destroy; check snapshot names.");
    }
    return ok("");
  }

  private CommandResult send(List<String> a) {
    String target = a.get(a.size() - 1);
    int at = target.indexOf('@');
    SimState.Dataset d = at < 0 ? null : state.datasets.get(target.substring(0, at));
    String snap = at < 0 ? "" : target.substring(at + 1);
    if (d == null || !d.snapshots.containsKey(snap)) {
      return err(1, "cannot open '" + target + "': dataset does not exist");
    }
    String base = a.contains("-I") ? a.get(a.indexOf("-I") + 1).substring(1) : null;
    if (base != null && !d.snapshots.containsKey(base)) {
      return err(1, "cannot send '" + target + "': incremental source " + d.name + "@" + base + " does not exist");
    }
    Map<String, SimState.Content> sent = new LinkedHashMap<>();
    boolean inRange = base == null;
    for (var e : d.snapshots.entrySet()) {
      if (inRange) {
        sent.put(e.getKey(), e.getValue());
      }
      if (e.getKey().equals(base)) {
        inRange = true;
      }
      if (e.getKey().equals(snap)) {
        break;
      }
    }
    return new CommandResult(0, encode(base, sent), null);
  }

  private CommandResult receive(String name, boolean force, byte[] stream) {
    Stream s;
    try {
      s = decode(stream);
    } catch (IOException | RuntimeException e) {
      return err(1, "cannot receive: invalid stream (bad magic number)");
    }
    SimState.Dataset d = state.datasets.get(name);
    if (s.base == null) {
      if (d != null) {
        return err(1, "cannot receive new filesystem stream: destination '" + name + "' exists\nmust specify -F to overwrite it");
      }
      String parent = name.substring(0, Math.max(0, name.lastIndexOf('/')));
      if (!state.datasets.containsKey(parent)) {
        return err(1, "cannot receive new filesystem stream: parent '" + parent + "' does not exist");
      }
      d = new SimState.Dataset(name, state.datasets.get(parent).mountpoint + name.substring(parent.length()));
      state.datasets.put(name, d);
    } else {
      if (d == null) {
        return err(1, "cannot receive incremental stream: destination '" + name + "' does not exist");
      }
      if (!d.snapshots.containsKey(s.base)) {
        return err(1, "cannot receive incremental stream: most recent snapshot of " + name + " does not match incremental source");
      }
      List<String> names = new ArrayList<>(d.snapshots.keySet());
      boolean newer = !names.get(names.size() - 1).equals(s.base);
      if (!force && (d.modified || newer)) {
        return err(1, "cannot receive incremental stream: destination " + name + " has been modified\nsince most recent snapshot");
      }
      for (String n : names.subList(names.indexOf(s.base) + 1, names.size())) {
        d.snapshots.remove(n); // -F rolls back to the base first
      }
    }
    SimState.Content lastContent = null;
    for (var e : s.snapshots.entrySet()) {
      d.snapshots.put(e.getKey(), e.getValue());
      lastContent = e.getValue();
    }
    if (lastContent != null) {
      d.live = lastContent.copy();
    }
    d.modified = false;
    return ok("");
  }

  private record Stream(String base, Map<String, SimState.Content> snapshots) {}

  private static byte[] encode(String base, Map<String, SimState.Content> snapshots) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeUTF(MAGIC);
      out.writeUTF(base == null ? "" : base);
      out.writeInt(snapshots.size());
      for (var e : snapshots.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeInt(e.getValue().dirs().size());
        for (String dir : e.getValue().dirs()) {
          out.writeUTF(dir);
        }
        out.writeInt(e.getValue().files().size());
        for (var f : e.getValue().files().entrySet()) {
          out.writeUTF(f.getKey());
          out.writeInt(f.getValue().mode());
          out.writeUTF(f.getValue().owner());
          out.writeInt(f.getValue().content().length);
          out.write(f.getValue().content());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static Stream decode(byte[] stream) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(stream == null ? new byte[0] : stream));
    if (!in.readUTF().equals(MAGIC)) {
      throw new IOException("bad magic");
    }
    String base = in.readUTF();
    Map<String, SimState.Content> snapshots = new LinkedHashMap<>();
    for (int n = in.readInt(); n > 0; n--) {
      String name = in.readUTF();
      SimState.Content c = SimState.Content.empty();
      for (int d = in.readInt(); d > 0; d--) {
        c.dirs().add(in.readUTF());
      }
      for (int f = in.readInt(); f > 0; f--) {
        String path = in.readUTF();
        int mode = in.readInt();
        String owner = in.readUTF();
        byte[] content = new byte[in.readInt()];
        in.readFully(content);
        c.files().put(path, new SimState.File(content, mode, owner));
      }
      snapshots.put(name, c);
    }
    return new Stream(base.isEmpty() ? null : base, snapshots);
  }
}
