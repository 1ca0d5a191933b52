package dev.cadre.manager.store;

import dev.cadre.manager.lifecycle.AppState;
import dev.cadre.manager.lifecycle.HostState;
import dev.cadre.manager.lifecycle.MemberState;
import dev.cadre.manager.lifecycle.ServiceState;
import dev.cadre.manager.lifecycle.OperationStatus;
import dev.cadre.manager.operations.StepStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Everything cadre remembers. One interface so that the embedded database and PostgreSQL are the same
 * to the rest of the control plane; the composite writes ({@link #registerHost}, {@link #createApp})
 * are single transactions. Duplicates surface as {@link dev.cadre.driver.ConflictException}.
 */
public interface Store extends AccessStore, AutoCloseable {

  /** "h2" or "postgresql": what {@code GET /v1} shows. */
  String kind();

  /** A random id made when the store was created; cadre marks its containers with it. */
  String storeId();

  // ---- datacenters and hosts

  Optional<DatacenterRecord> datacenter(String name);

  List<DatacenterRecord> datacenters();

  /**
   * Stores the host and its finished registration operation; creates {@code datacenter} first when it is
   * new. When the datacenter exists with another subnet the whole thing is refused with Conflict.
   */
  void registerHost(DatacenterRecord datacenter, HostRecord host, OperationRecord operation);

  Optional<HostRecord> host(String name);

  List<HostRecord> hosts();

  void updateHost(HostRecord host);

  /**
   * Writes {@code host} only when its stored state is still {@code expected}; answers whether it did. State
   * changes that race (a probe, a drain ending, a resume) go through here so that none undoes another.
   */
  boolean updateHost(HostRecord host, HostState expected);

  void deleteHost(String name);

  /** The identity pinned for {@code host} (see {@code HostDriver.serverIdentity}), if any. */
  Optional<String> hostFingerprint(String host);

  /** Every pinned identity, by host name (one read for a list of hosts). */
  java.util.Map<String, String> hostFingerprints();

  /** Pins {@code fingerprint} (null: nothing pinned) as the identity {@code host} must present. */
  void pinHost(String host, String fingerprint);

  // ---- apps, services, members

  /** The app, its services, its members (already placed) and the operation that builds them, at once. */
  void createApp(AppRecord app, List<ServiceRecord> services, List<MemberRecord> members, OperationRecord operation);

  Optional<AppRecord> app(String name);

  List<AppRecord> apps();

  /** The names of every app (no order promised). */
  List<String> appNames();

  /**
   * The apps named that exist, with their services and members, read at once (a page of a listing): apps and
   * services in the order of their names, members by service and ordinal, as {@link #services(String)} and
   * {@link #members(String)} give them.
   */
  AppRows apps(java.util.Collection<String> names);

  /** Sets the state only while the app is still in {@code expected}; answers whether it did. */
  boolean changeAppState(String name, AppState expected, AppState state);

  /** Removes the app with its services and members (not their addresses: release those first). */
  void deleteApp(String name);

  List<ServiceRecord> services(String app);

  /** The services of every app, by app and name. */
  List<ServiceRecord> allServices();

  List<MemberRecord> members(String app);

  Optional<ServiceRecord> service(String app, String name);

  /** Services that have a service address (templates with a primary and replicas), in every app. */
  List<ServiceRecord> servicesWithAddress();

  /** Writes topology and address of the service. */
  void updateService(ServiceRecord service);

  /** What a member's {@code plan} hook answered (JSON), shown with the service. */
  void setServicePlan(String app, String name, String plan);

  /**
   * Sets the service's state (and the operation that put it there; null when it becomes ready) only while
   * it is still {@code expected}; answers whether it did.
   */
  boolean changeServiceState(String app, String name, ServiceState expected, ServiceState state, String operationId);

  /** Adds members to an existing service (a conversion); Conflict when a name is taken. */
  void insertMembers(List<MemberRecord> members);

  /** The member's role changed (a promotion, a failover). */
  void setMemberRole(String name, String role);

  List<MemberRecord> allMembers();

  /**
   * What the members on each host hold (failed members hold nothing), summed by the store: one row per host,
   * however many members there are. Hosts without such members are absent.
   */
  List<HostUse> placedUse();

  Optional<MemberRecord> member(String name);

  /** Writes state, error and ip of the member. */
  void updateMember(MemberRecord member);

  void deleteMember(String name);

  /** The member now lives on {@code host} (after a move). */
  void setMemberHost(String name, String host);

  /** Sets state and error only while the member is still in {@code expected}; answers whether it did. */
  boolean changeMemberState(String name, MemberState expected, MemberState state, String error);

  // ---- addresses

  /** Inserts the allocation; false when the address is taken (the unique constraint said no). */
  boolean tryAllocate(String datacenter, String address, String member, Instant at);

  Set<String> allocatedAddresses(String datacenter);


  /** Releases whatever {@code member} holds; answers how many addresses were released. */
  int releaseAddresses(String member);

  /** Hands {@code address} from {@code member} to {@code holder}, stamped {@code at}. */
  /** Releases {@code address} if {@code member} holds it (a repeated call releases nothing). */
  int releaseAddress(String member, String address);

  void moveAddress(String member, String address, String holder, Instant at);

  /** Releases the addresses {@code holder} got before {@code before}; answers how many. */
  int releaseAddressesOf(String holder, Instant before);

  /** Addresses held by members (quarantined ones not counted), per datacenter. */
  java.util.Map<String, Integer> addressesInUse();

  /** Releases addresses whose member (or service, for a service address) row is gone (left by a crash); answers how many. */
  int releaseUnownedAddresses();

  /** Rows of apps on their way to another datacenter (see {@link MoveRecord}). */
  void insertMoves(List<MoveRecord> moves);

  List<MoveRecord> moves(String app);

  List<MoveRecord> allMoves();

  void deleteMoves(String app);

  /**
   * Turns the app's members, service addresses and datacenter to the target of its move ({@code toTarget}) or
   * back to the source, in one transaction.
   */
  void switchMove(String app, boolean toTarget);

  // ---- operations and events

  void insertOperation(OperationRecord operation);

  /** Sets the status (with progress and error) only while it is still {@code expected}; answers whether it did. */
  boolean changeOperationStatus(String id, OperationStatus expected, OperationStatus status, int progress, String error,
      Instant at);

  void setOperationProgress(String id, int progress, Instant at);

  Optional<OperationRecord> operation(String id);

  List<OperationRecord> unfinishedOperations();

  int countOperations(OperationStatus status);

  /**
   * Sets the operation's cancel flag while it is pending or running, for whichever server runs it to read;
   * answers whether it did (false: unknown or already ended).
   */
  boolean requestCancel(String id);

  /** Whether a cancel of the operation was asked on any server ({@link #requestCancel}). */
  boolean cancelRequested(String id);

  /** Marks which server runs the operation. */
  void setOperationOwner(String id, String server);

  /**
   * Makes {@code server} the operation's owner only while {@code expected} still is (null: none recorded);
   * answers whether it did. Recovery takes a gone server's operation through it, so that two servers that
   * both think they lead (one of them about to learn it lost the lease) never both take the same one.
   */
  boolean claimOperation(String id, String expected, String server);

  /** The server that runs the operation, or null when none was recorded. */
  String operationOwner(String id);

  // ---- servers sharing the store, and the lease of background work

  /** How often a server beats its row and renews (or tries to take) the lease. */
  java.time.Duration HEARTBEAT = java.time.Duration.ofSeconds(1);

  /**
   * A server whose row has not beaten for this long is gone, and a lease not renewed for this long is free:
   * with {@link #HEARTBEAT}, another server leads at most about {@code EXPIRY + HEARTBEAT} after a leader dies.
   */
  java.time.Duration EXPIRY = java.time.Duration.ofSeconds(3);

  /**
   * Registers this server ({@code name}: its host name, for people) with a first heartbeat; the operations
   * inserted through this store from now on carry it as their owner. Closing the store is the server leaving:
   * its row goes and its lease, if it holds it, is free at once. On the embedded database, rows of earlier
   * runs are removed (one server at a time).
   */
  void join(String server, String name);

  /** Beats this server's row (written again if another server removed it). */
  void beat(String server, String name);

  /**
   * True when {@code server} beat its row within {@link #EXPIRY} (the database's clock). Always false on
   * the embedded database: one server, so whoever ran before is gone.
   */
  boolean serverAlive(String server);

  /**
   * Renews the lease when {@code server} holds it with epoch {@code held}, else takes it with a new epoch
   * when nobody holds it unexpired (on the embedded database: always). Answers the epoch held now, 0 when
   * another server leads.
   */
  long claimLease(String server, long held);

  /** True while {@code server} holds the lease of {@code epoch} and it has not expired: checked before each background action. */
  boolean holdsLease(String server, long epoch);

  /** Lets go of the lease if {@code server} holds it and removes its row (a clean stop). */
  void leave(String server);

  /** The servers with a row, the oldest first, and which one leads. */
  List<ServerRecord> servers();

  /** Removes the rows of servers that have not beaten for {@code after}; answers how many. */
  int forgetServers(java.time.Duration after);

  /**
   * Runs {@code work} as the only placement on any server sharing the store: a row lock held until it returns,
   * so that what it reads of hosts and members and what it reserves (in transactions of their own, committed
   * before it returns) is never interleaved with another placement. Not reentrant: the caller guards
   * nesting.
   */
  <T> T placementLocked(java.util.function.Supplier<T> work);

  /** Stores a step of the operation and answers its id (steps are listed in the order of their ids). */
  long addStep(String operationId, StepRecord step);

  /**
   * Changes a stored step in place: its status, detail and time (a step recorded as running while its work
   * goes on). Answers false when the operation has no such step.
   */
  boolean updateStep(String operationId, long stepId, StepStatus status, String detail, Instant at);

  /**
   * Ends every step of the operation still running with {@code status}, keeping its detail (what it had got
   * to); answers how many. For an operation that ended while one ran (a restart cut it short).
   */
  int endRunningSteps(String operationId, StepStatus status, Instant at);

  List<StepRecord> steps(String operationId);

  /**
   * Stores an event and answers its id. Ids grow in the order events become visible, on every server
   * sharing the store: a reader that has seen id N never later finds a smaller one.
   */
  long addEvent(String type, String subject, String data, Instant at);

  /** At most {@code limit} events with ids above {@code id}, in the order of their ids. */
  List<EventRecord> eventsAfter(long id, int limit);

  /** The id of the newest event, 0 when there is none. */
  long lastEventId();

  /** Deletes at most {@code batch} of the oldest events from before {@code before}; answers how many. */
  int pruneEvents(Instant before, int batch);

  /**
   * Deletes at most {@code batch} finished operations (success, failure, cancelled) last updated before
   * {@code before}, with their steps; pending and running ones are never touched. Answers how many.
   */
  int pruneOperations(Instant before, int batch);

  // ---- backups (by app and service name: they outlive the app)

  void insertBackup(BackupRecord backup);

  /** The backups of {@code service} of {@code app}, oldest first (also when the app is gone). */
  List<BackupRecord> backups(String app, String service);

  Optional<BackupRecord> backup(String id);

  @Override
  void close();
}
