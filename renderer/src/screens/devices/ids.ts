/** The sentence that says why sign-out buttons are disabled offline; the buttons point at it. */
export const OFFLINE_REASON_ID = 'offline-reason';
