import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACCOUNT, context, openDomain, rejects } from './helpers.js';

const URL = 'https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const HOST = URL.slice('https://'.length);
const ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
const THUMB = '9e99a48a9960b14926bb7f3b02e22da2b0ab7280';

describe('IAM OIDC providers', () => {
  it('creates a provider whose ARN is the URL without https://, and reads it back without the scheme', async () => {
    const d = openDomain();
    const ctx = context();
    const out = await d.call(
      'CreateOpenIDConnectProvider',
      {
        Url: URL,
        ClientIDList: ['sts.amazonaws.com'],
        ThumbprintList: [THUMB],
        'Tags.member.1.Key': 'cluster',
        'Tags.member.1.Value': 'demo',
      },
      ctx,
    );
    assert.equal(out.OpenIDConnectProviderArn, ARN);
    assert.deepEqual(ctx.authorized, [['iam:CreateOpenIDConnectProvider', ARN]]);
    const got = await d.call('GetOpenIDConnectProvider', { OpenIDConnectProviderArn: ARN });
    assert.equal(got.Url, HOST);
    assert.deepEqual(got.ClientIDList, ['sts.amazonaws.com']);
    assert.deepEqual(got.ThumbprintList, [THUMB]);
    assert.deepEqual(got.Tags, [{ Key: 'cluster', Value: 'demo' }]);
    const list = await d.call('ListOpenIDConnectProviders');
    assert.deepEqual(list.OpenIDConnectProviderList, [{ Arn: ARN }]);
    assert.deepEqual(d.iam.getOpenIdConnectProviderByUrl(ACCOUNT, HOST), {
      arn: ARN,
      url: HOST,
      clientIds: ['sts.amazonaws.com'],
      thumbprints: [THUMB],
    });
  });

  it('refuses a second provider for the same URL with EntityAlreadyExists (409)', async () => {
    const d = openDomain();
    await d.call('CreateOpenIDConnectProvider', { Url: URL, ClientIDList: ['sts.amazonaws.com'] });
    await rejects(
      d.call('CreateOpenIDConnectProvider', { Url: URL, ClientIDList: ['sts.amazonaws.com'] }),
      'EntityAlreadyExists',
      409,
      `Provider with url ${URL} already exists.`,
    );
  });

  it('accepts a local issuer with a port, and rejects a URL that is not https', async () => {
    const d = openDomain();
    const out = await d.call('CreateOpenIDConnectProvider', { Url: 'https://127.0.0.1:8443/id/ABC' });
    assert.equal(out.OpenIDConnectProviderArn, `arn:aws:iam::${ACCOUNT}:oidc-provider/127.0.0.1:8443/id/ABC`);
    await rejects(
      d.call('CreateOpenIDConnectProvider', { Url: 'http://example.com/id/x' }),
      'InvalidInput',
      400,
    );
  });

  it('validates thumbprints as AWS does (40 characters)', async () => {
    const d = openDomain();
    await rejects(
      d.call('CreateOpenIDConnectProvider', { Url: URL, ThumbprintList: ['abc'] }),
      'ValidationError',
      400,
      "1 validation error detected: Value 'abc' at 'thumbprintList.1.member' failed to satisfy constraint: Member must have length greater than or equal to 40",
    );
  });

  it('adds and removes client ids idempotently, replaces thumbprints, tags and untags', async () => {
    const d = openDomain();
    await d.call('CreateOpenIDConnectProvider', { Url: URL, ClientIDList: ['sts.amazonaws.com'] });
    await d.call('AddClientIDToOpenIDConnectProvider', { OpenIDConnectProviderArn: ARN, ClientID: 'other' });
    await d.call('AddClientIDToOpenIDConnectProvider', { OpenIDConnectProviderArn: ARN, ClientID: 'other' });
    assert.deepEqual(d.iam.getOpenIdConnectProviderByUrl(ACCOUNT, HOST)?.clientIds, [
      'sts.amazonaws.com',
      'other',
    ]);
    await d.call('RemoveClientIDFromOpenIDConnectProvider', {
      OpenIDConnectProviderArn: ARN,
      ClientID: 'sts.amazonaws.com',
    });
    assert.deepEqual(d.iam.getOpenIdConnectProviderByUrl(ACCOUNT, HOST)?.clientIds, ['other']);
    await d.call('UpdateOpenIDConnectProviderThumbprint', {
      OpenIDConnectProviderArn: ARN,
      ThumbprintList: [THUMB],
    });
    assert.deepEqual(d.iam.getOpenIdConnectProviderByUrl(ACCOUNT, HOST)?.thumbprints, [THUMB]);
    await d.call('TagOpenIDConnectProvider', {
      OpenIDConnectProviderArn: ARN,
      'Tags.member.1.Key': 'a',
      'Tags.member.1.Value': '1',
    });
    assert.deepEqual(
      (await d.call('ListOpenIDConnectProviderTags', { OpenIDConnectProviderArn: ARN })).Tags,
      [{ Key: 'a', Value: '1' }],
    );
    await d.call('UntagOpenIDConnectProvider', { OpenIDConnectProviderArn: ARN, TagKeys: ['a'] });
    assert.deepEqual(
      (await d.call('ListOpenIDConnectProviderTags', { OpenIDConnectProviderArn: ARN })).Tags,
      [],
    );
  });

  it('answers NoSuchEntity (404) for an unknown provider, and deletes idempotently', async () => {
    const d = openDomain();
    await rejects(
      d.call('GetOpenIDConnectProvider', { OpenIDConnectProviderArn: ARN }),
      'NoSuchEntity',
      404,
      `OpenIDConnect Provider not found for arn ${ARN}`,
    );
    await d.call('CreateOpenIDConnectProvider', { Url: URL });
    await d.call('DeleteOpenIDConnectProvider', { OpenIDConnectProviderArn: ARN });
    await d.call('DeleteOpenIDConnectProvider', { OpenIDConnectProviderArn: ARN });
    assert.equal(d.iam.getOpenIdConnectProviderByUrl(ACCOUNT, HOST), undefined);
  });
});
