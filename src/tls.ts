/**
 * The TLS certificate and key every listener serves (and the CA client certificates must chain
 * to), read from files and re-read on demand (SIGHUP): listeners subscribe and rebind so new
 * connections get the new pair.
 * @module
 */

/**
 * How long a replaced listener keeps accepting after a reload: Linux resets the connections
 * still queued on a closed SO_REUSEPORT socket, so the old one drains its queue first.
 */
export const RELOAD_GRACE_MS = 2000;

/** A PEM certificate chain and its private key, and the CA client certificates must chain to. */
export interface TlsPair {
  cert: string;
  key: string;
  /** Set: clients are asked for a certificate this CA signed (`--tls-ca`). */
  ca?: string;
}

/** Where the pair comes from. */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
  caFile?: string;
  /** With `caFile`: refuse a client without a certificate (else verify one only if sent). */
  requireClientCert?: boolean;
}

/** A reload that failed; the message names the file and the reason. */
export class TlsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TlsError";
  }
}

function readPem(label: string, path: string, marker: RegExp): string {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    throw new TlsError(`Cannot read ${label} ${path}: ${(error as Error).message}`);
  }
  if (!marker.test(text)) throw new TlsError(`${label} ${path} holds no PEM ${label}`);
  return text;
}

/** The current pair and who wants to hear of a new one. */
export class TlsSource {
  #files: TlsFiles;
  #pair: TlsPair;
  #listeners = new Set<(pair: TlsPair) => Promise<void> | void>();

  constructor(files: TlsFiles) {
    this.#files = files;
    this.#pair = TlsSource.#read(files);
  }

  static #read(files: TlsFiles): TlsPair {
    const pair: TlsPair = {
      cert: readPem("certificate", files.certFile, /-----BEGIN CERTIFICATE-----/),
      key: readPem("key", files.keyFile, /-----BEGIN [A-Z ]*PRIVATE KEY-----/),
    };
    if (files.caFile) pair.ca = readPem("CA", files.caFile, /-----BEGIN CERTIFICATE-----/);
    return pair;
  }

  get pair(): TlsPair {
    return this.#pair;
  }

  /** Whether a client without a certificate is refused (with a CA set). */
  get requireClientCert(): boolean {
    return this.#files.requireClientCert ?? true;
  }

  /** Run `fn` with each new pair; returns the unsubscribe. */
  onReload(fn: (pair: TlsPair) => Promise<void> | void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /**
   * Re-read the files and hand the pair to every listener; resolves once the old listeners are
   * closed. A bad file throws and keeps the old pair serving, as a broken certificate must not
   * take the server down.
   */
  async reload(): Promise<void> {
    const pair = TlsSource.#read(this.#files);
    this.#pair = pair;
    await Promise.all([...this.#listeners].map((fn) => fn(pair)));
  }
}
