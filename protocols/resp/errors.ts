/**
 * Redis 7.2's wire errors for the protocol, dispatch, connection and server commands, byte for
 * byte (networking.c, server.c, acl.c, config.c). Data-command errors live in reply.ts ERRORS.
 * @module
 */

/** Longest argument text Redis quotes in an error (its `%.128s`). */
export const MAX_QUOTED_ARG = 128;

/** Request-parser failures, the text after "ERR Protocol error: " (networking.c). */
export const PROTOCOL_ERRORS = {
  multibulkLength: "invalid multibulk length",
  bulkLength: "invalid bulk length",
  expectedDollar: (got: string) => `expected '$', got '${got}'`,
  unbalancedQuotes: "unbalanced quotes in request",
  inlineTooBig: "too big inline request",
  mbulkTooBig: "too big mbulk count string",
  bulkTooBig: "too big bulk count string",
} as const;

/** Error texts, each starting with its code word. */
export const SERVER_ERRORS = {
  protocol: (detail: string) => `ERR Protocol error: ${detail}`,
  unknownSubcommand: (sub: string, cmd: string) =>
    `ERR unknown subcommand '${sub.slice(0, MAX_QUOTED_ARG)}'. Try ${cmd.toUpperCase()} HELP.`,
  noProto: "NOPROTO unsupported protocol version",
  protoNotInteger: "ERR Protocol version is not an integer or out of range",
  helloOption: (opt: string) => `ERR Syntax error in HELLO option '${opt}'`,
  helloNoAuth: "NOAUTH HELLO must be called with the client already authenticated, otherwise the " +
    "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select " +
    "the RESP protocol version at the same time",
  authNotConfigured: "ERR AUTH <password> called without any password configured for the " +
    "default user. Are you sure your configuration is correct?",
  clientName: "ERR Client names cannot contain spaces, newlines or special characters.",
  clientAttr: (attr: string) =>
    `ERR ${attr} cannot contain spaces, newlines or special characters.`,
  unrecognizedOption: (opt: string) => `ERR Unrecognized option '${opt}'`,
  noSuchClient: "ERR No such client",
  clientIdInvalid: "ERR client-id should be greater than 0",
  configSetUnknown: (name: string) =>
    `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`,
  configSetImmutable: (name: string) =>
    `ERR CONFIG SET failed (possibly related to argument '${name}') - can't set immutable config`,
  configSetInvalid: (name: string, reason: string) =>
    `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`,
  cachingWithoutTracking: "ERR CLIENT CACHING can be called only when the client is in " +
    "tracking mode with OPTIN or OPTOUT mode enabled",
  configRewrite: "ERR The server is running without a config file",
  notInteger: "ERR value is not an integer or out of range",
  timeoutNegative: "ERR timeout is negative",
  clusterDisabled: "ERR This instance has cluster support disabled",
  slowlogCount: "ERR count should be greater than or equal to -1",
  rateLimited: (rate: number) =>
    `ERR rate limit exceeded: max ${rate} requests per second per client`,
} as const;

/**
 * Redis's reply to a command name it does not know: the name and the first arguments quoted,
 * each followed by a space, arguments cut once 128 characters are quoted; newlines become spaces.
 */
export function unknownCommandError(name: string, args: string[]): string {
  let quoted = "";
  for (let i = 0; i < args.length && quoted.length < MAX_QUOTED_ARG; i++) {
    quoted += `'${args[i].slice(0, MAX_QUOTED_ARG - quoted.length)}' `;
  }
  const text = `ERR unknown command '${
    name.slice(0, MAX_QUOTED_ARG)
  }', with args beginning with: ${quoted}`;
  return text.replace(/[\r\n]/g, " ");
}
