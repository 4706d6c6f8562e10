CREATE INDEX `attempt_counters_window_idx` ON `attempt_counters` (`window_started_at`);--> statement-breakpoint
CREATE INDEX `families_closed_at_idx` ON `families` (`closed_at`);--> statement-breakpoint
CREATE INDEX `outbox_finished_idx` ON `outbox` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `outbox_family_id_idx` ON `outbox` (`family_id`);--> statement-breakpoint
CREATE INDEX `security_events_created_at_idx` ON `security_events` (`created_at`);--> statement-breakpoint
CREATE INDEX `sessions_expires_at_idx` ON `sessions` (`expires_at`);--> statement-breakpoint
CREATE INDEX `sessions_last_seen_at_idx` ON `sessions` (`last_seen_at`);--> statement-breakpoint
CREATE INDEX `temporary_passwords_expires_at_idx` ON `temporary_passwords` (`expires_at`);