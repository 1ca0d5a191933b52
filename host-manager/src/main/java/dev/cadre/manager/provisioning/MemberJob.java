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

  /**
   * The same job for hooks that run again later in the same operation: command ids are a function of the
   * operation, member, hook and attempt, and the agent answers a known id from its journal without running
   * the hook; a scope makes them new.
   */
  public MemberJob scoped(String scope) {
    return new MemberJob(operationId + "/" + scope, member, service, template, peers, subnet, network, keepFailed,
        datacenter);
  }

  public MemberJob with(MemberRecord m, List<MemberRecord> newPeers) {
    return new MemberJob(operationId, m, service, template, newPeers, subnet, network, keepFailed, datacenter);
  }
}
