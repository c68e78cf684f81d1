/** Text matched with LIKE as it is: its wildcards (and the escape character) taken literally. */
export const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (c) => '\\' + c);
