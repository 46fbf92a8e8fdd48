/** The Loki stream labels tried, in order, for the service, when nothing configures them (LOKI_SERVICE_LABELS). */
export const DEFAULT_SERVICE_LABELS = ["service_name", "service", "app", "job"] as const;
