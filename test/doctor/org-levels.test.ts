import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadFromDocuments } from '../../src/doctor/index.js';

const ACCOUNT = '111122223333';
const describePolicy = (id: string, name: string, effect: 'Allow' | 'Deny') => ({
  path: `organizations-describe-policy-${id}.json`,
  text: JSON.stringify({
    Policy: {
      PolicySummary: { Id: id, Name: name, Type: 'SERVICE_CONTROL_POLICY' },
      Content: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: effect, Action: effect === 'Allow' ? '*' : 's3:*', Resource: '*' }],
      }),
    },
  }),
});
const targets = (id: string, list: { TargetId: string; Type: string }[]) => ({
  path: `organizations-targets-${id}.json`,
  text: JSON.stringify({ Targets: list.map((t) => ({ ...t, Arn: 'arn:x', Name: t.TargetId })) }),
});
const authz = {
  path: 'iam-get-account-authorization-details.json',
  text: JSON.stringify({
    RoleDetailList: [
      {
        RoleName: 'app',
        Arn: `arn:aws:iam::${ACCOUNT}:role/app`,
        RoleId: 'AROAEXAMPLE',
        Path: '/',
        AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] },
        RolePolicyList: [],
        AttachedManagedPolicies: [],
      },
    ],
    Policies: [],
  }),
};
const names = (levels: { name: string }[][]) => levels.map((l) => l.map((p) => p.name));

describe('doctor: SCP levels from exported attachments (list-targets-for-policy)', () => {
  it('puts root, OU and account attachments on their levels and drops policies attached elsewhere', () => {
    const snap = loadFromDocuments(
      [
        authz,
        describePolicy('p-FullAWSAccess', 'FullAWSAccess', 'Allow'),
        targets('p-FullAWSAccess', [
          { TargetId: 'r-ab12', Type: 'ROOT' },
          { TargetId: 'ou-ab12-aaaaaaaa', Type: 'ORGANIZATIONAL_UNIT' },
          { TargetId: ACCOUNT, Type: 'ACCOUNT' },
        ]),
        describePolicy('p-ouDeny', 'DenyS3InOu', 'Deny'),
        targets('p-ouDeny', [{ TargetId: 'ou-ab12-aaaaaaaa', Type: 'ORGANIZATIONAL_UNIT' }]),
        describePolicy('p-other', 'DenyS3ElsewhereOnly', 'Deny'),
        targets('p-other', [{ TargetId: '444455556666', Type: 'ACCOUNT' }]),
        describePolicy('p-detached', 'Detached', 'Deny'),
        targets('p-detached', []),
      ],
      'test',
    );
    assert.deepEqual(names(snap.scps), [
      ['FullAWSAccess'],
      ['FullAWSAccess', 'DenyS3InOu'],
      ['FullAWSAccess'],
    ]);
  });

  it('with the OU path exported (list-parents), keeps only the OUs between the root and the account', () => {
    const parents = (child: string, parent: string, type: string) => ({
      path: `organizations-parents-${child}.json`,
      text: JSON.stringify({ Parents: [{ Id: parent, Type: type }] }),
    });
    const snap = loadFromDocuments(
      [
        authz,
        parents(ACCOUNT, 'ou-ab12-bbbbbbbb', 'ORGANIZATIONAL_UNIT'),
        parents('ou-ab12-bbbbbbbb', 'ou-ab12-aaaaaaaa', 'ORGANIZATIONAL_UNIT'),
        parents('ou-ab12-aaaaaaaa', 'r-ab12', 'ROOT'),
        describePolicy('p-FullAWSAccess', 'FullAWSAccess', 'Allow'),
        targets('p-FullAWSAccess', [
          { TargetId: 'r-ab12', Type: 'ROOT' },
          { TargetId: 'ou-ab12-bbbbbbbb', Type: 'ORGANIZATIONAL_UNIT' },
          { TargetId: 'ou-ab12-aaaaaaaa', Type: 'ORGANIZATIONAL_UNIT' },
          { TargetId: 'ou-ab12-cccccccc', Type: 'ORGANIZATIONAL_UNIT' },
          { TargetId: ACCOUNT, Type: 'ACCOUNT' },
        ]),
        describePolicy('p-sibling', 'DenyInSiblingOu', 'Deny'),
        targets('p-sibling', [{ TargetId: 'ou-ab12-cccccccc', Type: 'ORGANIZATIONAL_UNIT' }]),
        describePolicy('p-inner', 'DenyInInnerOu', 'Deny'),
        targets('p-inner', [{ TargetId: 'ou-ab12-bbbbbbbb', Type: 'ORGANIZATIONAL_UNIT' }]),
      ],
      'test',
    );
    // Root, then the outer OU, then the inner one, then the account; the sibling OU is not on the path.
    assert.deepEqual(names(snap.scps), [
      ['FullAWSAccess'],
      ['FullAWSAccess'],
      ['FullAWSAccess', 'DenyInInnerOu'],
      ['FullAWSAccess'],
    ]);
  });

  it('without attachments, takes every exported SCP as attached to the account', () => {
    const snap = loadFromDocuments(
      [
        authz,
        describePolicy('p-FullAWSAccess', 'FullAWSAccess', 'Allow'),
        describePolicy('p-d', 'Deny', 'Deny'),
      ],
      'test',
    );
    assert.deepEqual(names(snap.scps), [['FullAWSAccess', 'Deny']]);
  });
});
