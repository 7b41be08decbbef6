/** Sent as CLIENT SETINFO LIB-VER; a test keeps it equal to package.json's version. */
export const VERSION = '0.1.0';
export const LIB_NAME = 'hitless';
