// The IAM policy language and evaluation engine: a pure library (no I/O). Other domains import only this file.
export { accessDeniedMessage } from './access-denied-message.js';
export { OPERATORS, parseDate } from './conditions.js';
export { evaluate, reasonPhrase } from './evaluate.js';
export { type ParsePolicyOptions, type ParsePolicyResult, parsePolicy } from './parse-policy.js';
export { policyLimit } from './policy-limit.js';
export { type PoliciesText, renderDecision } from './render-decision.js';
export { principalArnKey, roleArnFromSession } from './request-view.js';
export { type CaseResult, principalFromArn, simulationInput } from './simulation-case.js';
export { statementRange, statementText } from './statement-range.js';
export type {
  CompiledPolicy,
  CompiledStatement,
  DecidingLayer,
  Decision,
  Effect,
  EvaluationInput,
  EvaluationRequest,
  MatchedStatement,
  NamedPolicy,
  NearMiss,
  NearMissField,
  PolicyError,
  PolicyKind,
  PolicyLimitKind,
  PrincipalType,
  RequestPrincipal,
  SourcePosition,
  SourceRange,
  TraceEntry,
} from './types.js';
