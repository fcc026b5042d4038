import { type IamAction, type IamDeps, paginate, readPaging, tagsOut } from './iam-deps.js';
import { entityAlreadyExists, invalidInput, limitExceeded, providerNotFound } from './iam-errors.js';
import { IamParams, RULES } from './iam-params.js';
import type { ProviderRow } from './iam-repo.js';
import { mergeTags, removeTags, tagContext } from './tags.js';

// Quotas from reference_iam-quotas: 100 providers per account, 100 client ids and 5 thumbprints each.
const MAX_PROVIDERS = 100;
const MAX_CLIENT_IDS = 100;
const MAX_THUMBPRINTS = 5;

/**
 * The provider's URL as IAM stores it: without `https://`, case kept, trailing slash kept
 * (research/sts.md §3.2). A port is accepted: the local issuer listens on one.
 */
export function providerUrl(url: string): string {
  if (!url.startsWith('https://')) throw invalidInput('The URL must begin with https://');
  const rest = url.slice('https://'.length);
  if (rest.length === 0 || rest.startsWith('/')) throw invalidInput(`Invalid URL: ${url}`);
  if (rest.includes('?') || rest.includes('#'))
    throw invalidInput('The URL must not contain a query or a fragment.');
  return rest;
}

function checkLists(clientIds: readonly string[], thumbprints: readonly string[]): void {
  if (clientIds.length > MAX_CLIENT_IDS) {
    throw limitExceeded(`Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${MAX_CLIENT_IDS}`);
  }
  if (thumbprints.length > MAX_THUMBPRINTS) {
    throw limitExceeded(`Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: ${MAX_THUMBPRINTS}`);
  }
}

function requireProvider(deps: IamDeps, account: string, arn: string): ProviderRow {
  const p = deps.repo.providerByArn(arn);
  if (!p || p.account !== account) throw providerNotFound(arn);
  return p;
}

const unique = (xs: readonly string[]) => [...new Set(xs)];

export function oidcProviderActions(deps: IamDeps): Record<string, IamAction> {
  const { repo, store } = deps;

  return {
    async CreateOpenIDConnectProvider(params, ctx) {
      const p = new IamParams(params);
      const url = p.required('Url', RULES.oidcUrl);
      const clientIds = p.list('ClientIDList', RULES.clientId) ?? [];
      const thumbprints = p.list('ThumbprintList', RULES.thumbprint) ?? [];
      const tags = p.tags();
      p.done();
      const host = providerUrl(url);
      const arn = `arn:aws:iam::${ctx.account}:oidc-provider/${host}`;
      await ctx.authorize('iam:CreateOpenIDConnectProvider', arn, tagContext(tags));
      checkLists(unique(clientIds), thumbprints);
      store.tx(() => {
        if (repo.providerByUrl(ctx.account, host))
          throw entityAlreadyExists(`Provider with url ${url} already exists.`);
        if (repo.countProviders(ctx.account) >= MAX_PROVIDERS) {
          throw limitExceeded(`Cannot exceed quota for OpenIdConnectProvidersPerAccount: ${MAX_PROVIDERS}`);
        }
        repo.insertProvider({
          account: ctx.account,
          url: host,
          arn,
          clientIds: unique(clientIds),
          thumbprints: unique(thumbprints),
          tags: mergeTags([], tags),
          createdAt: deps.now(),
        });
      });
      return { OpenIDConnectProviderArn: arn, Tags: tagsOut(tags) };
    },

    async GetOpenIDConnectProvider(params, ctx) {
      const p = new IamParams(params);
      const arn = p.required('OpenIDConnectProviderArn', RULES.arn);
      p.done();
      await ctx.authorize('iam:GetOpenIDConnectProvider', arn);
      const row = requireProvider(deps, ctx.account, arn);
      return {
        Url: row.url,
        ClientIDList: row.clientIds,
        ThumbprintList: row.thumbprints,
        CreateDate: new Date(row.createdAt),
        Tags: row.tags,
      };
    },

    async ListOpenIDConnectProviders(_params, ctx) {
      await ctx.authorize('iam:ListOpenIDConnectProviders', '*');
      return { OpenIDConnectProviderList: repo.providers(ctx.account).map((r) => ({ Arn: r.arn })) };
    },

    // Idempotent in AWS: deleting a provider that does not exist is not an error.
    async DeleteOpenIDConnectProvider(params, ctx) {
      const p = new IamParams(params);
      const arn = p.required('OpenIDConnectProviderArn', RULES.arn);
      p.done();
      await ctx.authorize('iam:DeleteOpenIDConnectProvider', arn);
      store.tx(() => {
        const row = repo.providerByArn(arn);
        if (row && row.account === ctx.account) repo.deleteProvider(arn);
      });
      return undefined;
    },

    // Idempotent: adding a client id that is already listed changes nothing.
    async AddClientIDToOpenIDConnectProvider(params, ctx) {
      const p = new IamParams(params);
      const arn = p.required('OpenIDConnectProviderArn', RULES.arn);
      const clientId = p.required('ClientID', RULES.clientId);
      p.done();
      await ctx.authorize('iam:AddClientIDToOpenIDConnectProvider', arn);
      store.tx(() => {
        const row = requireProvider(deps, ctx.account, arn);
        if (row.clientIds.includes(clientId)) return;
        const clientIds = [...row.clientIds, clientId];
        checkLists(clientIds, row.thumbprints);
        repo.updateProvider({ ...row, clientIds });
      });
      return undefined;
    },

    async RemoveClientIDFromOpenIDConnectProvider(params, ctx) {
      const p = new IamParams(params);
      const arn = p.required('OpenIDConnectProviderArn', RULES.arn);
      const clientId = p.required('ClientID', RULES.clientId);
      p.done();
      await ctx.authorize('iam:RemoveClientIDFromOpenIDConnectProvider', arn);
      store.tx(() => {
        const row = requireProvider(deps, ctx.account, arn);
        repo.updateProvider({ ...row, clientIds: row.clientIds.filter((c) => c !== clientId) });
      });
      return undefined;
    },

    async UpdateOpenIDConnectProviderThumbprint(params, ctx) {
      const p = new IamParams(params);
      const arn = p.required('OpenIDConnectProviderArn', RULES.arn);
      const thumbprints = p.list('ThumbprintList', RULES.thumbprint, true) ?? [];
      p.done();
      await ctx.authorize('iam:UpdateOpenIDConnectProviderThumbprint', arn);
      store.tx(() => {
        const row = requireProvider(deps, ctx.account, arn);
        checkLists(row.clientIds, thumbprints);
        repo.updateProvider({ ...row, thumbprints: unique(thumbprints) });
      });
      return undefined;
    },

    async TagOpenIDConnectProvider(params, ctx) {
      const p = new IamParams(params);
      const arn = p.required('OpenIDConnectProviderArn', RULES.arn);
      const tags = p.tags();
      p.done();
      await ctx.authorize('iam:TagOpenIDConnectProvider', arn, tagContext(tags));
      store.tx(() => {
        const row = requireProvider(deps, ctx.account, arn);
        repo.updateProvider({ ...row, tags: mergeTags(row.tags, tags) });
      });
      return undefined;
    },

    async UntagOpenIDConnectProvider(params, ctx) {
      const p = new IamParams(params);
      const arn = p.required('OpenIDConnectProviderArn', RULES.arn);
      const keys = p.list('TagKeys', RULES.tagKey, true) ?? [];
      p.done();
      await ctx.authorize('iam:UntagOpenIDConnectProvider', arn, { 'aws:TagKeys': keys });
      store.tx(() => {
        const row = requireProvider(deps, ctx.account, arn);
        repo.updateProvider({ ...row, tags: removeTags(row.tags, keys) });
      });
      return undefined;
    },

    async ListOpenIDConnectProviderTags(params, ctx) {
      const p = new IamParams(params);
      const arn = p.required('OpenIDConnectProviderArn', RULES.arn);
      const paging = readPaging(p);
      p.done();
      await ctx.authorize('iam:ListOpenIDConnectProviderTags', arn);
      const row = requireProvider(deps, ctx.account, arn);
      const { page, ...rest } = paginate(row.tags, paging);
      return { Tags: page, ...rest };
    },
  };
}
