ALTER TABLE `attempt_counters` ADD `blocked_until` integer;--> statement-breakpoint
ALTER TABLE `attempt_counters` ADD `strikes` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `attempt_counters` ADD `refused` integer DEFAULT 0 NOT NULL;