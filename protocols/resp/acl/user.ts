/**
 * One ACL user as Redis 7 models it: on/off, password hashes, command rules, key and channel
 * patterns. Applies ACL SETUSER modifiers with Redis's errors, describes itself as ACL LIST and
 * GETUSER do, and answers whether it may run a command on given keys and channels.
 * @module
 */
import { latin1Bytes, latin1Text } from "../../../src/bytes.ts";
import { sha256, toHex } from "../../../src/sha256.ts";
import { sameSecret } from "../../../src/auth.ts";
import { globMatch } from "../glob.ts";
import { CATEGORIES } from "./categories.ts";

/** A key pattern with the access it grants (`~p` both, `%R~p` read, `%W~p` write). */
export interface KeyPattern {
  pattern: string;
  bytes: Uint8Array;
  read: boolean;
  write: boolean;
}

/** What the command table can tell the rules about command names. */
export interface CommandNames {
  /** True when `name` is a command; with `sub`, when it is a subcommand of it. */
  exists(name: string, sub?: string): boolean;
  /** The categories of a command's full name ("client|list"). */
  categories(fullName: string): readonly string[];
}

/** A SETUSER modifier's error: the text after "Error in ACL SETUSER modifier '<m>': ". */
export class ModifierError extends Error {}

const HASH = /^[0-9a-f]{64}$/;
/** Names and patterns are written into space-separated ACL lines, so they may not hold these. */
const SPACE_OR_NUL = /[ \0]/;

/** True when `text` may be a user name, key or channel pattern (Redis's ACLStringHasSpaces). */
export function noSpaces(text: string): boolean {
  return !SPACE_OR_NUL.test(text);
}
const SYNTAX = "Syntax error";
const UNKNOWN = "Unknown command or category name in ACL";
const BAD_HASH =
  "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters";
const NO_SUCH_PASSWORD = "The password you are trying to remove from the user does not exist";
const AFTER_ALL_KEYS = "Adding a pattern after the * pattern (or the 'allkeys' flag) is not " +
  "valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns";
const AFTER_ALL_CHANNELS = "Adding a pattern after the * pattern (or the 'allchannels' flag) " +
  "is not valid and does not have any effect. Try 'resetchannels' to start with an empty list " +
  "of channels";

/** SHA-256 of a password as ACL shows it. */
export function passwordHash(password: string | Uint8Array): string {
  return toHex(sha256(password));
}

/** A Redis ACL user. */
export class AclUser {
  readonly name: string;
  enabled = false;
  nopass = false;
  /** "sanitize-payload" after `reset`, "skip-sanitize-payload", or none. */
  sanitize: "" | "sanitize-payload" | "skip-sanitize-payload" = "";
  /** SHA-256 hex of each password, in the order added. */
  passwords: string[] = [];
  /** +@all (true) or -@all (false) before the rules. */
  allCommands = false;
  /** Command rules after the baseline, in order: "+get", "-@write", "+client|list". */
  rules: string[] = [];
  allKeys = false;
  keys: KeyPattern[] = [];
  allChannels = false;
  channels: string[] = [];
  #allowed = new Map<string, boolean>();

  constructor(name: string) {
    this.name = name;
  }

  /** A copy to apply modifiers to, so a failing SETUSER changes nothing. */
  clone(): AclUser {
    const u = new AclUser(this.name);
    u.enabled = this.enabled;
    u.nopass = this.nopass;
    u.sanitize = this.sanitize;
    u.passwords = [...this.passwords];
    u.allCommands = this.allCommands;
    u.rules = [...this.rules];
    u.allKeys = this.allKeys;
    u.keys = this.keys.map((k) => ({ ...k }));
    u.allChannels = this.allChannels;
    u.channels = [...this.channels];
    return u;
  }

  /** True when this user may do anything (the fast path of every check). */
  get unrestricted(): boolean {
    return this.allCommands && this.rules.length === 0 && this.allKeys && this.allChannels;
  }

  /** Apply one SETUSER modifier; throws ModifierError with Redis's reason. */
  apply(modifier: string, names: CommandNames): void {
    this.#allowed.clear();
    const lower = modifier.toLowerCase();
    switch (lower) {
      case "on":
        this.enabled = true;
        return;
      case "off":
        this.enabled = false;
        return;
      case "nopass":
        this.nopass = true;
        this.passwords = [];
        return;
      case "resetpass":
        this.nopass = false;
        this.passwords = [];
        return;
      case "allkeys":
        this.allKeys = true;
        this.keys = [];
        return;
      case "resetkeys":
        this.allKeys = false;
        this.keys = [];
        return;
      case "allchannels":
        this.allChannels = true;
        this.channels = [];
        return;
      case "resetchannels":
        this.allChannels = false;
        this.channels = [];
        return;
      case "allcommands":
      case "+@all":
        this.allCommands = true;
        this.rules = [];
        return;
      case "nocommands":
      case "-@all":
        this.allCommands = false;
        this.rules = [];
        return;
      case "sanitize-payload":
      case "skip-sanitize-payload":
        this.sanitize = lower;
        return;
      case "reset":
        for (const m of ["resetpass", "resetkeys", "resetchannels", "off", "-@all"]) {
          this.apply(m, names);
        }
        this.sanitize = "sanitize-payload";
        return;
    }
    const first = modifier[0];
    if (first === ">" || first === "#") {
      const hash = first === ">" ? passwordHash(latin1Bytes(modifier.slice(1))) : modifier.slice(1);
      if (!HASH.test(hash)) throw new ModifierError(BAD_HASH);
      if (!this.passwords.includes(hash)) this.passwords.push(hash);
      this.nopass = false;
    } else if (first === "<" || first === "!") {
      const hash = first === "<" ? passwordHash(latin1Bytes(modifier.slice(1))) : modifier.slice(1);
      if (!HASH.test(hash)) throw new ModifierError(BAD_HASH);
      const at = this.passwords.indexOf(hash);
      if (at < 0) throw new ModifierError(NO_SUCH_PASSWORD);
      this.passwords.splice(at, 1);
    } else if (first === "~" || first === "%") {
      this.#addKeyPattern(modifier);
    } else if (first === "&") {
      if (this.allChannels) throw new ModifierError(AFTER_ALL_CHANNELS);
      const pattern = modifier.slice(1);
      if (!noSpaces(pattern)) throw new ModifierError(SYNTAX);
      if (pattern === "*") {
        this.allChannels = true;
        this.channels = [];
      } else if (!this.channels.includes(pattern)) this.channels.push(pattern);
    } else if (first === "+" || first === "-") {
      this.#addCommandRule(first, modifier.slice(1).toLowerCase(), names);
    } else {
      throw new ModifierError(SYNTAX);
    }
  }

  #addKeyPattern(modifier: string): void {
    let read = true;
    let write = true;
    let pattern: string;
    if (modifier[0] === "%") {
      const tilde = modifier.indexOf("~");
      const perms = tilde < 0 ? "" : modifier.slice(1, tilde).toUpperCase();
      if (tilde < 0 || perms === "" || /[^RW]/.test(perms)) throw new ModifierError(SYNTAX);
      read = perms.includes("R");
      write = perms.includes("W");
      pattern = modifier.slice(tilde + 1);
    } else {
      pattern = modifier.slice(1);
    }
    if (this.allKeys) throw new ModifierError(AFTER_ALL_KEYS);
    if (!noSpaces(pattern)) throw new ModifierError(SYNTAX);
    if (pattern === "*" && read && write) {
      this.allKeys = true;
      this.keys = [];
      return;
    }
    const same = this.keys.find((k) => k.pattern === pattern);
    if (same) {
      same.read ||= read;
      same.write ||= write;
    } else {
      this.keys.push({ pattern, bytes: latin1Bytes(pattern), read, write });
    }
  }

  #addCommandRule(sign: "+" | "-", target: string, names: CommandNames): void {
    if (target.startsWith("@")) {
      if (!CATEGORIES.includes(target.slice(1))) throw new ModifierError(UNKNOWN);
    } else {
      const bar = target.indexOf("|");
      const known = bar < 0
        ? names.exists(target)
        : names.exists(target.slice(0, bar), target.slice(bar + 1));
      if (!known) throw new ModifierError(UNKNOWN);
    }
    // A later rule for the same command or category replaces the earlier ones (and a whole
    // command's rule replaces its subcommands' rules), as Redis keeps its rule list.
    this.rules = this.rules.filter((r) => {
      const t = r.slice(1);
      return t !== target && !t.startsWith(`${target}|`);
    });
    this.rules.push(sign + target);
  }

  /** Whether rules let this user run `fullName` ("get", "client|list"). */
  canRun(fullName: string, names: CommandNames): boolean {
    const cached = this.#allowed.get(fullName);
    if (cached !== undefined) return cached;
    const allowed = evaluate(this.allCommands, this.rules, fullName, names);
    this.#allowed.set(fullName, allowed);
    return allowed;
  }

  /** Whether `key` is reachable for the access the command needs. */
  canAccessKey(key: Uint8Array, write: boolean): boolean {
    if (this.allKeys) return true;
    return this.keys.some((k) => (write ? k.write : k.read) && globMatch(k.bytes, key));
  }

  /** Whether `channel` may be used; a PSUBSCRIBE pattern must equal an allowed pattern. */
  canAccessChannel(channel: Uint8Array, isPattern: boolean): boolean {
    if (this.allChannels) return true;
    const text = latin1Text(channel);
    return this.channels.some((p) => isPattern ? p === text : globMatch(latin1Bytes(p), channel));
  }

  /** True when `password` is one of this user's (or the user has nopass). */
  checkPassword(password: Uint8Array): boolean {
    if (this.nopass) return true;
    const given = passwordHash(password);
    // Every hash is compared, so the time taken does not tell which one matched.
    let ok = false;
    for (const hash of this.passwords) ok = sameSecret(given, hash) || ok;
    return ok;
  }

  /** The flags GETUSER lists. */
  flags(): string[] {
    const out = [this.enabled ? "on" : "off"];
    if (this.nopass) out.push("nopass");
    if (this.sanitize) out.push(this.sanitize);
    return out;
  }

  /** The command rules as Redis prints them: the baseline, then rules that change something. */
  commandRules(names: CommandNames): string {
    const kept = this.rules.filter((rule, i) => {
      if (rule[1] === "@") return true;
      const target = rule.slice(1);
      const without = [...this.rules.slice(0, i), ...this.rules.slice(i + 1)];
      return evaluate(this.allCommands, without, target, names) !==
        evaluate(this.allCommands, this.rules, target, names);
    });
    return [this.allCommands ? "+@all" : "-@all", ...kept].join(" ");
  }

  /** The key patterns as Redis prints them. */
  keyRules(): string {
    if (this.allKeys) return "~*";
    return this.keys.map((k) => `${k.read && k.write ? "" : k.read ? "%R" : "%W"}~${k.pattern}`)
      .join(" ");
  }

  /** The channel patterns as GETUSER prints them. */
  channelRules(): string {
    if (this.allChannels) return "&*";
    return this.channels.map((c) => `&${c}`).join(" ");
  }

  /** The ACL LIST line (also the ACL file's line for this user). */
  describe(names: CommandNames): string {
    const parts = ["user", this.name, ...this.flags()];
    for (const hash of this.passwords) parts.push(`#${hash}`);
    const keys = this.keyRules();
    if (keys) parts.push(keys);
    if (this.allChannels) parts.push("&*");
    else parts.push("resetchannels", ...this.channels.map((c) => `&${c}`));
    parts.push(this.commandRules(names));
    return parts.join(" ");
  }
}

/** Whether `fullName` is allowed after `rules` over the baseline, the last matching rule winning. */
function evaluate(
  all: boolean,
  rules: readonly string[],
  fullName: string,
  names: CommandNames,
): boolean {
  let allowed = all;
  const bar = fullName.indexOf("|");
  const container = bar < 0 ? fullName : fullName.slice(0, bar);
  for (const rule of rules) {
    const target = rule.slice(1);
    const hit = target[0] === "@"
      ? names.categories(fullName).includes(target.slice(1))
      : target === fullName || target === container;
    if (hit) allowed = rule[0] === "+";
  }
  return allowed;
}
