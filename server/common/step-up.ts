/**
 * A sign-in that must not be checked or refused as it stands: past the account's ceiling of wrong passwords,
 * or with its room of waiting sign-in requests full, from an address it never signed in from. The password is
 * then checked only with a code mailed to the owner (docs/api.md, "Rate limits"), so others can neither guess
 * on nor lock the owner out.
 */
export class StepUpRequired extends Error {
  constructor() {
    super('step-up required');
  }
}
