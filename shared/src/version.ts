/** The suite's version, recorded as the producer version of every artifact (checked against package.json by a test). */
export const VERSION = '0.1.0';
