// How the React app calls the API with the generated types: a typed fetch
// for any operation document, and a screen's data used with the compiler
// checking every field. `npm run check` type-checks this file against the
// types generated from schema.graphqls and operations/*.graphql, so a
// schema change that breaks a screen fails before the app is built.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import {
  BackfillForSlotDocument,
  MyCaseloadDocument,
  MyTodoDocument,
  type MyCaseloadQuery,
  type TerminationAction,
} from './gql/graphql';

/** A GraphQL error as the API sends it: extensions.code says what to do. */
export interface ApiError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; field?: string; retryAfterSeconds?: number };
}

export class ApiErrors extends Error {
  constructor(readonly errors: ApiError[]) {
    super(errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; '));
  }
}

/** Runs one operation against POST /graphql with the signed-in user's access token. */
export async function request<TData, TVariables extends Record<string, unknown>>(
  endpoint: string,
  accessToken: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
): Promise<TData> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: TData; errors?: ApiError[] };
  if (body.errors?.length) {
    throw new ApiErrors(body.errors);
  }
  if (!body.data) {
    throw new Error(`no data (HTTP ${response.status})`);
  }
  return body.data;
}

type CaseloadClient = NonNullable<
  NonNullable<NonNullable<MyCaseloadQuery['clients']['edges']>[number]>['node']
>;

/** What the caseload screen shows in its "act now" column. */
export function needsAction(client: CaseloadClient): boolean {
  const action: TerminationAction = client.terminationRecommendation.action;
  return action !== 'NONE' || client.strikeCount >= 2 || (client.daysSinceSeen ?? 0) > 30;
}

/** The caseload screen's summary line, for a clinician. */
export async function caseloadSummary(endpoint: string, token: string): Promise<string> {
  const data = await request(endpoint, token, MyCaseloadDocument, {});
  const health = data.me.clinician?.caseloadHealth;
  const clients = (data.clients.edges ?? []).flatMap((e) => (e?.node ? [e.node] : []));
  const urgent = clients.filter(needsAction).length;
  return `${health?.status ?? 'no caseload'}: ${health?.activeClients ?? 0} active, ${urgent} need action`;
}

/** The To-Do count and the backfill list of the first overdue session. */
export async function todoAndBackfill(endpoint: string, token: string): Promise<string[]> {
  const todo = await request(endpoint, token, MyTodoDocument, {});
  const slot = todo.myTodo.find((item) => item.appointment)?.appointment?.id;
  if (!slot) {
    return [];
  }
  const backfill = await request(endpoint, token, BackfillForSlotDocument, { id: slot });
  return backfill.backfillCandidates.map(
    (c) => `${c.client.firstName ?? ''} ${c.client.lastName ?? ''} (waits ${c.waitDays} days)`,
  );
}
