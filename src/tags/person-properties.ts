/**
 * Tags and audience memberships as person properties of the query engine (SPEC §6: "tag values
 * appear in every filter and breakdown"): `$tag:<name>` holds a person's value of a tag (`true` for a
 * boolean tag), `$audience:<id>` is `true` for the current members of a pack. The query worker's
 * person columns read them from this room's tables instead of the traits document.
 */

export const TAG_PROPERTY = "$tag:";
export const AUDIENCE_PROPERTY = "$audience:";

/** MembershipProperty is a parsed `$tag:…` or `$audience:…` property name. */
export type MembershipProperty = { readonly kind: "tag"; readonly name: string } | { readonly kind: "audience"; readonly id: number };

/** membershipProperty recognises the property names above; null for ordinary traits. */
export function membershipProperty(property: string): MembershipProperty | null {
  if (property.startsWith(TAG_PROPERTY) && property.length > TAG_PROPERTY.length) {
    return { kind: "tag", name: property.slice(TAG_PROPERTY.length) };
  }
  if (property.startsWith(AUDIENCE_PROPERTY)) {
    const id = property.slice(AUDIENCE_PROPERTY.length);
    if (/^[1-9]\d{0,14}$/.test(id)) return { kind: "audience", id: Number(id) };
  }
  return null;
}
