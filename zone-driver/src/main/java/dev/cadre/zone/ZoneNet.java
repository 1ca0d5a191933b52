package dev.cadre.zone;

/** A {@code net} resource as zonecfg reports it; properties not set are null. */
record ZoneNet(String physical, String allowedAddress, String defrouter) {

  /** The address without its prefix length, or null. */
  String ipv4() {
    if (allowedAddress == null) {
      return null;
    }
    int slash = allowedAddress.indexOf('/');
    return slash < 0 ? allowedAddress : allowedAddress.substring(0, slash);
  }
}
