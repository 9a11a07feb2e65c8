/**
 * Every error text of Redis 7.2 scripting (eval.c, script.c, script_lua.c, function_lua.c),
 * byte for byte, shared by the engine, the EVAL/FUNCTION wiring and the tests.
 * @module
 */

export const SCRIPT_ERRORS = {
  noScript: "NOSCRIPT No matching script. Please use EVAL.",
  notBusy: "NOTBUSY No scripts in execution right now.",
  unkillable: "UNKILLABLE Sorry the script already executed write commands against the dataset. " +
    "You can either wait the script termination or kill the server in a hard way using the " +
    "SHUTDOWN NOSAVE command.",
  /** Other clients while EVAL runs past busy-reply-threshold (shared.slowevalerr). */
  busyEval:
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
  /** Other clients while FCALL runs past busy-reply-threshold (shared.slowscripterr). */
  busyFunction:
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.",
  killed: "ERR Script killed by user with SCRIPT KILL...",
  flushOption: "ERR SCRIPT FLUSH only support SYNC|ASYNC option",
  compile: (detail: string) => `ERR Error compiling script (new function): ${detail}`,
  numKeysTooBig: "ERR Number of keys can't be greater than number of args",
  numKeysNegative: "ERR Number of keys can't be negative",
  // Texts the bridge returns for commands a script may not run (script.c scriptCall).
  unknownCommand: "ERR Unknown Redis command called from script",
  wrongArity: "ERR Wrong number of args calling Redis command from script",
  notAllowed: "ERR This Redis command is not allowed from script",
  writeInReadOnly: "ERR Write commands are not allowed from read-only scripts.",
  // redis.* library misuse (script_lua.c).
  noArgs: "Please specify at least one argument for this redis lib call",
  aclCheckUnknown: "Invalid command passed to redis.acl_check_cmd()",
  badArgType: "Lua redis lib command arguments must be strings or integers",
  outsideScript: (what: string) => `${what} can only be called inside a script invocation`,
  shebangEngine: (engine: string) => `ERR Unexpected engine in script shebang: ${engine}`,
  shebangFlag: (flag: string) => `ERR Unexpected flag in script shebang: ${flag}`,
  shebangOption: (option: string) => `ERR Unknown lua shebang option: ${option}`,
  // Functions (function_lua.c, functions.c).
  missingLibraryMetadata: "ERR Missing library metadata",
  invalidLibraryMetadata: "ERR Invalid library metadata",
  libraryNameTwice: "ERR Invalid metadata value, name argument was given multiple times",
  libraryExists: (name: string) => `ERR Library '${name}' already exists`,
  libraryNotFound: "ERR Library not found",
  functionNotFound: "ERR Function not found",
  noFunctions: "ERR No functions registered",
  functionExists: (name: string) => `ERR Function ${name} already exists`,
  badLibraryName:
    "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long",
  badFunctionName:
    "Function names can only contain letters, numbers, or underscores(_) and must be at least one character long",
  restorePolicy: "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.",
  badPayload: "ERR DUMP payload version or checksum are wrong",
  /** FUNCTION RESTORE's collision text (libraryJoin), unquoted unlike FUNCTION LOAD's. */
  restoreLibraryExists: (name: string) => `ERR Library ${name} already exists`,
  badNumKeys: "ERR Bad number of keys provided",
  unknownOption: (option: string) => `ERR Unknown option given: ${option}`,
  codeMissing: "ERR Function code is missing",
  functionFlushOption: "ERR FUNCTION FLUSH only supports SYNC|ASYNC option",
  libraryNameMissing: "ERR library name argument was not given",
  unknownArgument: (arg: string) => `ERR Unknown argument ${arg}`,
  functionWriteInReadOnly: "ERR Can not execute a script with write flag using *_ro command.",
} as const;
