package dev.cadre.driver;

/** The states a driver reports, mapped from each host kind's own states by a small pure function. */
public enum InstanceState {
  STOPPED,
  STARTING,
  RUNNING,
  STOPPING,
  FROZEN,
  ERROR,
  /** A native state this version of cadre does not know; never guessed into one of the above. */
  UNRECOGNIZED
}
