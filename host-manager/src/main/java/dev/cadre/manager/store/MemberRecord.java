package dev.cadre.manager.store;

import dev.cadre.manager.lifecycle.MemberState;

/**
 * One member: {@code name} is also its container's name on {@code host}. {@code cpus}, {@code memoryMiB},
 * {@code diskMiB} are what the scheduler reserved for it. {@code operationId} is the operation that made it.
 */
public record MemberRecord(
    String name,
    String app,
    String service,
    int ordinal,
    String role,
    String host,
    String ip,
    MemberState state,
    String error,
    int cpus,
    long memoryMiB,
    long diskMiB,
    String operationId) {

  /** The member in {@code newState}; throws when its lifecycle does not allow the change. */
  public MemberRecord withState(MemberState newState, String newError) {
    return new MemberRecord(name, app, service, ordinal, role, host, ip, state.to(newState), newError, cpus, memoryMiB, diskMiB,
        operationId);
  }

  public MemberRecord withHost(String newHost) {
    return new MemberRecord(name, app, service, ordinal, role, newHost, ip, state, error, cpus, memoryMiB, diskMiB,
        operationId);
  }

  public MemberRecord withRole(String newRole) {
    return new MemberRecord(name, app, service, ordinal, newRole, host, ip, state, error, cpus, memoryMiB, diskMiB,
        operationId);
  }

  public MemberRecord withIp(String address) {
    return new MemberRecord(name, app, service, ordinal, role, host, address, state, error, cpus, memoryMiB, diskMiB,
        operationId);
  }
}
