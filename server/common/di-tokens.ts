/** Injection tokens for values the app is built with. */
export const CLOCK = Symbol('Clock');
export const CONFIG = Symbol('ServerConfig');
export const LOGGER = Symbol('Logger');
