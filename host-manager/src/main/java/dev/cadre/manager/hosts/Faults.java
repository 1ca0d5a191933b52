package dev.cadre.manager.hosts;

import dev.cadre.driver.UnavailableException;

/**
 * How the control plane reads a driver's typed faults, whichever driver raised them. Address in use is
 * handled where addresses are given (the member gets another one); what is only a matter of time is
 * named here.
 */
public final class Faults {
  private Faults() {}

  /**
   * Worth asking again a little later: the host was busy (the driver already retried), did not answer
   * in time, or could not be reached ({@link dev.cadre.driver.HostBusyException},
   * {@link dev.cadre.driver.TimedOutException}, {@link dev.cadre.driver.UnreachableException}).
   */
  public static boolean isTransient(Throwable e) {
    return e instanceof UnavailableException;
  }
}
