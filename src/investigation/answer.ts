import type { ToolQuery } from '../agent/tool.js';
import type { ServiceOwner, ServiceRunbook } from '../catalogue.js';
import type { Anomaly } from '../detection/anomaly.js';
import type { FaultKind } from '../rca/diagnose-fault.js';
import type { RecentChange } from '../sources/recent-changes.js';
import type { ActionProposal } from '../state/action-proposals.js';
import type { IncidentSummary } from './incident-summary.js';
import type { UnknownService } from './unknown-services.js';

/** A service that looks wrong now, with the anomalies that say so, newest first. */
export interface ServiceInAnomaly {
  service: string;
  anomalies: Anomaly[];
}

/**
 * The bot's answer to a question, at any stage: `investigating` while it works (the Slack message
 * shows progress), `done` at the end. Rendered by src/slack/blocks; produced by the deterministic
 * path now and by the LLM agent once it lands.
 */
export interface Answer {
  question: string;
  /** The catalogued services the question names, if any. */
  services: string[];
  stage: 'investigating' | 'done';
  /** What the bot is doing or has done, one short line each, in order ("Checked 6 signals of order-service"). */
  steps: string[];
  /** The likely cause in one line, when there is one ("database: latency_p95 185 ms (usually 9 ms)"). */
  conclusion?: string;
  /** What the catalogue says besides the conclusion, one line each: a layout question's answer (see catalogue-answer.ts). */
  facts?: string[];
  /** The catalogue's runbooks of the services a layout answer is about. */
  runbooks?: ServiceRunbook[];
  /**
   * The named services that show nothing unusual, in figures ("checkout shows nothing unusual:
   * latency_p95 450 ms (usually 448 ms), …"), one line each: what the bot saw where the question
   * assumed trouble.
   */
  asUsual?: string[];
  /** The service the evidence points at, when there is one. */
  suspect?: string;
  /** Who owns the suspect, where its incidents go and its runbook, from the catalogue: whom to bring in, and what to read. */
  suspectOwner?: ServiceOwner;
  /** The kind of fault the suspect's evidence describes, which chose the advice: "a code error: its logs say …". */
  diagnosis?: { kind: FaultKind; summary: string };
  /** The error templates the suspect (and the other candidates) log since the trouble started, with counts, one line each. */
  logEvidence?: string[];
  /** Names the question asks about that are not catalogued, with the services they may mean. */
  unknownServices?: UnknownService[];
  servicesInAnomaly: ServiceInAnomaly[];
  recentChanges: RecentChange[];
  /** What to do next, one line each. */
  suggestions: string[];
  /**
   * How the answer was made: `deterministic` (the root-cause engine), `llm` (the agent), or,
   * with nothing investigated, `catalogue` (a layout question) or `changes` ("what changed?").
   */
  method: 'deterministic' | 'llm' | 'catalogue' | 'changes';
  /** The root-cause engine's leading candidates, best first, each with its strongest evidence. */
  candidates?: CandidateCause[];
  /** The agent's evidence, one line each, in its words. */
  evidence?: string[];
  /** The queries behind the evidence, for links to Prometheus and Kibana. */
  queries?: ToolQuery[];
  /** Actions the agent proposed; each waits for a person's approval. */
  proposals?: ActionProposal[];
  /** Sources that could not be read, one line each: the answer says what it could not see. */
  unreadable?: string[];
  /** What the guardrails left out of the agent's answer and why (a proposal outside the question, advice passing on the data's orders), one line each. */
  notes?: string[];
  /** How the agent's run went, for the record and the evaluations. */
  agentRun?: AgentRunSummary;
  /** Why the LLM did not answer, when one is configured and the engine answered instead. */
  fallbackReason?: string;
}

export interface AgentRunSummary {
  /** Tool names in call order. */
  toolCalls: string[];
  tokens: { prompt: number; completion: number };
  stoppedBy: 'answer' | 'step-limit' | 'token-budget' | 'time-limit';
  milliseconds: number;
}

/** A root-cause candidate as the engine ranked it. */
export interface CandidateCause {
  service: string;
  score: number;
  /** Strongest first, one line each. */
  evidence: string[];
}


/** The state a dashboard or `/aiops status` shows. */
export interface EstateStatus {
  /** Milliseconds since the epoch. */
  generatedAt: number;
  services: Array<{ service: string; team: string; channel: string; healthy: boolean; anomalies: Anomaly[] }>;
  /**
   * Open incidents, and those resolved in the last day, newest first. Without an incident store
   * each recent anomaly stands alone as an open incident (its `headline` set).
   */
  incidents: IncidentSummary[];
  /** Healing actions awaiting an approver (the healing issue fills these). */
  pendingApprovals: Array<{ id: string; service: string; action: string; requestedAt: number }>;
  /** Healing actions carried out recently (the healing issue fills these). */
  recentActions: Array<{ id: string; service: string; action: string; outcome: string; at: number }>;
}
