export declare const SOURCES: readonly string[];
/** `root`: the project's directory, ending in a slash. */
export declare function buildIsCurrent(root: string): boolean;
