/**
 * The server's ACL users: loaded from the store (where ACL SETUSER keeps them, so they survive a
 * restart and every front-end on one store sees them) and from `--users FILE` (Redis's aclfile
 * format), the `default` user bound to --password, the ACL LOG and the denial counters.
 * @module
 */
import { latin1Bytes, latin1Text } from "../../../src/bytes.ts";
import type { Key, Store } from "../../../src/store/mod.ts";
import type { CommandContext, CommandSpec } from "../command.ts";
import { AclUser, type CommandNames, ModifierError, noSpaces } from "./user.ts";
import { checkCommand, type Denial, noPermError } from "./check.ts";
import { clientLine } from "../commands/client_info.ts";

/** Where each user's ACL line is kept in the redis namespace (outside every db). */
const USERS_PREFIX: Key = ["acl"];

/** Most ACL LOG entries kept (Redis's acllog-max-len default). */
export const ACL_LOG_MAX = 128;

/** Why a command was refused, as ACL LOG's reason shows it. */
export type DenialReason = "command" | "key" | "channel" | "auth";

/** One ACL LOG entry (repeats of the same denial within 60 s fold into it). */
export interface AclLogEntry {
  count: number;
  reason: DenialReason;
  context: "toplevel" | "multi" | "lua";
  object: string;
  username: string;
  createdAt: number;
  updatedAt: number;
  clientInfo: string;
  entryId: number;
}

/** How long a repeated denial folds into the same entry (Redis's ACL_LOG_GROUPING_MAX_TIME_DELTA). */
const GROUPING_MS = 60_000;

/** An ACL file line or SETUSER argument list that could not be applied. */
export class AclError extends Error {}

/** The default user: everything allowed, no password (requirepass sets one). */
function defaultUser(names: CommandNames, password: string | null): AclUser {
  const user = new AclUser("default");
  for (const m of ["on", "nopass", "~*", "&*", "+@all"]) user.apply(m, names);
  if (password !== null) { for (const m of ["resetpass", `>${password}`]) user.apply(m, names); }
  return user;
}

/** Split an ACL file's text into `user` lines' words; throws AclError naming the bad line. */
export function parseAclFile(text: string, names: CommandNames): AclUser[] {
  const users: AclUser[] = [];
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const words = lines[n].trim().split(/\s+/).filter(Boolean);
    if (words.length === 0 || words[0].startsWith("#")) continue;
    if (words[0] !== "user" || words.length < 2) {
      throw new AclError(`${n + 1}: should start with user keyword`);
    }
    const name = words[1];
    if (seen.has(name)) throw new AclError(`${n + 1}: duplicate user '${name}' found`);
    seen.add(name);
    users.push(buildUser(name, words.slice(2), names, (_m, why) => `${n + 1}: ${why}`));
  }
  return users;
}

/** How SETUSER words a bad modifier. */
function setUserError(modifier: string, why: string): string {
  return `Error in ACL SETUSER modifier '${modifier}': ${why}`;
}

/** A user (a copy of `base`, or new) with `modifiers` applied; AclError says `wording`. */
export function buildUser(
  name: string,
  modifiers: readonly string[],
  names: CommandNames,
  wording: (modifier: string, why: string) => string = setUserError,
  base?: AclUser,
): AclUser {
  const user = base ? base.clone() : new AclUser(name);
  for (const m of modifiers) {
    try {
      user.apply(m, names);
    } catch (error) {
      if (!(error instanceof ModifierError)) throw error;
      throw new AclError(wording(m, error.message));
    }
  }
  return user;
}

/** The users of one RESP server and what ACL LOG and INFO report about denials. */
export class AclRegistry {
  #users = new Map<string, AclUser>();
  readonly #store: Store;
  readonly #names: CommandNames;
  readonly #password: string | null;
  readonly file: string | null;
  log: AclLogEntry[] = [];
  #nextEntryId = 0;
  /** INFO stats acl_access_denied_*. */
  denied = { auth: 0, cmd: 0, key: 0, channel: 0 };

  constructor(store: Store, names: CommandNames, password: string | null, file: string | null) {
    this.#store = store;
    this.#names = names;
    // Rules hold bytes as Latin-1 text; a client sends the password's UTF-8 bytes.
    this.#password = password === null ? null : latin1Text(new TextEncoder().encode(password));
    this.file = file;
    this.#users.set("default", defaultUser(names, this.#password));
  }

  get names(): CommandNames {
    return this.#names;
  }

  /**
   * Load the stored users (unless `stored` says the store holds none), then the file's (which
   * replace stored users of the same name and are stored too). --password always sets the
   * default user's password, as requirepass does.
   */
  async start(stored = true): Promise<void> {
    if (stored) await this.reload();
    if (this.file) await this.loadFile();
  }

  /** Re-read every stored user (another front-end may have changed them). */
  async reload(): Promise<void> {
    const users = new Map<string, AclUser>();
    users.set("default", defaultUser(this.#names, this.#password));
    for await (const entry of this.#store.list<string>({ prefix: USERS_PREFIX })) {
      const name = entry.key[1] as string;
      const line = entry.meta ?? "";
      try {
        users.set(name, this.#fromLine(name, line));
      } catch {
        // A line another version wrote that this one cannot read: keep the user out.
      }
    }
    this.#users = users;
  }

  #fromLine(name: string, line: string): AclUser {
    const words = line.split(" ").slice(2);
    const user = buildUser(name, words, this.#names);
    if (name === "default" && this.#password !== null) {
      for (const m of ["resetpass", `>${this.#password}`]) user.apply(m, this.#names);
    }
    return user;
  }

  /** Replace every user with the file's (ACL LOAD; at start, file users win over stored). */
  async loadFile(replaceAll = false): Promise<void> {
    if (!this.file) throw new AclError("no ACL file");
    let text: string;
    try {
      // Bytes, as Redis reads the file: a rule's bytes (a UTF-8 password) are what clients send.
      text = latin1Text(await Deno.readFile(this.file));
    } catch (error) {
      throw new AclError(
        `Error loading ACLs, opening file '${this.file}': ${(error as Error).message}`,
      );
    }
    let users: AclUser[];
    try {
      users = parseAclFile(text, this.#names);
    } catch (error) {
      if (!(error instanceof AclError)) throw error;
      // Redis's ACL LOAD wording: file:line: reason, and nothing changed.
      throw new AclError(
        `${this.file}:${error.message}. WARNING: ACL errors detected, no change to the ` +
          "previously active ACL rules was performed",
      );
    }
    await this.#store.write(async (tx) => {
      if (replaceAll) {
        for (const entry of await tx.list({ prefix: USERS_PREFIX })) tx.delete(entry.key);
      }
      for (const user of users) {
        tx.set([...USERS_PREFIX, user.name], { meta: user.describe(this.#names) });
      }
    });
    await this.reload();
  }

  /** Write every user to the ACL file (ACL SAVE), atomically by rename. */
  async saveFile(): Promise<void> {
    if (!this.file) throw new AclError("no ACL file");
    const text = this.list().join("\n") + "\n";
    const tmp = `${this.file}.tmp-${Deno.pid}`;
    await Deno.writeFile(tmp, latin1Bytes(text));
    await Deno.rename(tmp, this.file);
  }

  /** Why `user` may not run `argv` (`spec`, full name `fullName`), or null if it may. */
  check(
    user: AclUser,
    spec: CommandSpec,
    fullName: string,
    argv: readonly Uint8Array[],
  ): Denial | null {
    return checkCommand(user, spec, fullName, argv, this.#names);
  }

  /**
   * The NOPERM error when `user` (the connection's; undefined when deleted) may not run `argv`,
   * recorded in the ACL LOG and INFO counters; null when it may. gate.ts's aclRefusal comes
   * here only for a user with restrictions.
   */
  refusal(
    ctx: Pick<CommandContext, "server" | "session">,
    user: AclUser | undefined,
    spec: CommandSpec,
    fullName: string,
    argv: readonly Uint8Array[],
    context: AclLogEntry["context"],
  ): string | null {
    // A user deleted on another front-end sharing the store: its connections here may do nothing.
    const denial = user
      ? checkCommand(user, spec, fullName, argv, this.#names)
      : { reason: "command" as const, object: fullName };
    if (!denial) return null;
    const record = ctx.server.clients.get(ctx.session.id);
    this.deny(
      denial.reason,
      context,
      denial.object,
      ctx.session.user,
      record ? clientLine(record, Date.now()) : "",
    );
    return noPermError(denial, ctx.session.user);
  }

  /** Whether new connections start logged in as `default` (it is on and needs no password). */
  startsLoggedIn(): boolean {
    const user = this.#users.get("default")!;
    return user.enabled && user.nopass;
  }

  /** The user named `name`, or undefined. */
  get(name: string): AclUser | undefined {
    return this.#users.get(name);
  }

  /** Every user name, sorted (ACL USERS). */
  usernames(): string[] {
    return [...this.#users.keys()].sort();
  }

  /** Every ACL LIST line, sorted by user name. */
  list(): string[] {
    return this.usernames().map((n) => this.#users.get(n)!.describe(this.#names));
  }

  /** Apply SETUSER modifiers to `name` (created if new) and store it; throws AclError. */
  async setUser(name: string, modifiers: readonly string[]): Promise<AclUser> {
    if (!noSpaces(name)) throw new AclError("Usernames can't contain spaces or null characters");
    const user = buildUser(name, modifiers, this.#names, setUserError, this.#users.get(name));
    await this.#store.set([...USERS_PREFIX, name], { meta: user.describe(this.#names) });
    this.#users.set(name, user);
    return user;
  }

  /** Delete users (never `default`); resolves to how many existed. */
  async deleteUsers(names: readonly string[]): Promise<number> {
    const existing = names.filter((n) => this.#users.has(n));
    await this.#store.write((tx) => {
      for (const name of existing) tx.delete([...USERS_PREFIX, name]);
    });
    for (const name of existing) this.#users.delete(name);
    return existing.length;
  }

  /**
   * The user `name` if `password` opens it: reads the store first so users made on another
   * front-end can log in. Null for unknown, disabled or wrong (counted as a denied auth).
   */
  async authenticate(name: string, password: Uint8Array): Promise<AclUser | null> {
    if (name !== "default") await this.reload();
    const user = this.#users.get(name);
    // The password is checked even for unknown users so timing does not reveal which exist.
    const ok = (user ?? this.#users.get("default")!).checkPassword(password);
    if (user && user.enabled && ok) return user;
    return null;
  }

  /** Record a denial in the ACL LOG and the INFO counters. */
  deny(
    reason: DenialReason,
    context: AclLogEntry["context"],
    object: string,
    username: string,
    clientInfo: string,
  ): void {
    this.denied[reason === "command" ? "cmd" : reason]++;
    const now = Date.now();
    const same = this.log.find((e) =>
      e.reason === reason && e.context === context && e.object === object &&
      e.username === username && now - e.updatedAt < GROUPING_MS
    );
    if (same) {
      same.count++;
      same.updatedAt = now;
      same.clientInfo = clientInfo;
      return;
    }
    this.log.unshift({
      count: 1,
      reason,
      context,
      object,
      username,
      createdAt: now,
      updatedAt: now,
      clientInfo,
      entryId: this.#nextEntryId++,
    });
    if (this.log.length > ACL_LOG_MAX) this.log.length = ACL_LOG_MAX;
  }
}
