package dev.cadre.manager.provisioning;

import dev.cadre.manager.ipam.Subnet;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.manager.store.ServiceRecord;
import dev.cadre.templates.Template;
import java.util.List;

/** Everything needed to provision one member: its service, its template, its peers, its network. */
public record MemberJob(
    String operationId,
    MemberRecord member,
    ServiceRecord service,
    Template template,
    List<MemberRecord> peers,
    Subnet subnet,
    String network,
    boolean keepFailed,
    String datacenter) {
  public MemberJob {
    peers = List.copyOf(peers);
  }

  public MemberJob with(MemberRecord m, List<MemberRecord> newPeers) {
    return new MemberJob(operationId, m, service, template, newPeers, subnet, network, keepFailed, datacenter);
  }
}
