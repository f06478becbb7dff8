/** Choosing the group's protocol among what its members support, as Kafka's classic coordinator does. */

export interface ProtocolVoter {
  /** Protocol names in the member's order of preference. */
  readonly protocolNames: readonly string[];
}

/** Protocols supported by every member, given per-protocol counts of supporting members. */
export function candidateProtocols(counts: ReadonlyMap<string, number>, memberCount: number): Set<string> {
  const out = new Set<string>();
  for (const [name, n] of counts) if (n === memberCount) out.add(name);
  return out;
}

/** A member's vote: its most preferred protocol among the candidates. */
export function vote(voter: ProtocolVoter, candidates: ReadonlySet<string>): string {
  const choice = voter.protocolNames.find((name) => candidates.has(name));
  if (choice === undefined) throw new Error('member supports none of the candidate protocols');
  return choice;
}

/**
 * Every member votes; the protocol with the most votes wins. Kafka breaks ties by hash order (arbitrary);
 * we break them by the order in which protocols first received a vote, so results are reproducible.
 */
export function selectProtocol(voters: Iterable<ProtocolVoter>, counts: ReadonlyMap<string, number>): string {
  const list = [...voters];
  if (list.length === 0) throw new Error('cannot select a protocol for an empty group');
  const candidates = candidateProtocols(counts, list.length);
  const votes = new Map<string, number>();
  for (const v of list) {
    const choice = vote(v, candidates);
    votes.set(choice, (votes.get(choice) ?? 0) + 1);
  }
  let best = '';
  let bestVotes = -1;
  for (const [name, n] of votes) {
    if (n > bestVotes) {
      best = name;
      bestVotes = n;
    }
  }
  return best;
}

/**
 * Whether a joining member may join: an Empty group takes any non-empty type with at least one protocol;
 * otherwise the type must match and one of its protocols must be supported by all current members.
 */
export function supportsProtocols(
  groupIsEmptyState: boolean,
  groupProtocolType: string | undefined,
  counts: ReadonlyMap<string, number>,
  memberCount: number,
  memberProtocolType: string,
  memberProtocols: readonly string[],
): boolean {
  if (groupIsEmptyState) return memberProtocolType.length > 0 && memberProtocols.length > 0;
  return (
    groupProtocolType === memberProtocolType &&
    memberProtocols.some((name) => (counts.get(name) ?? 0) === memberCount)
  );
}
