package dev.cadre.manager.store;

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
    String state,
    String error,
    int cpus,
    long memoryMiB,
    long diskMiB,
    String operationId) {

  public MemberRecord withState(String newState, String newError) {
    return new MemberRecord(name, app, service, ordinal, role, host, ip, newState, newError, cpus, memoryMiB, diskMiB,
        operationId);
  }

  public MemberRecord withIp(String address) {
    return new MemberRecord(name, app, service, ordinal, role, host, address, state, error, cpus, memoryMiB, diskMiB,
        operationId);
  }
}
