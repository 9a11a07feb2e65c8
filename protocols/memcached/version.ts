/** The memcached version basekv reports (the release whose wire behaviour it matches). */
export const VERSION = "1.6.18";
