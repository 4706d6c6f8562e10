CREATE TABLE `franceconnect_links` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`family_id` integer NOT NULL,
	`sub` text NOT NULL,
	`given_name` text NOT NULL,
	`family_name` text NOT NULL,
	`linked_at` integer NOT NULL,
	FOREIGN KEY (`family_id`) REFERENCES `families`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `franceconnect_links_sub_unique` ON `franceconnect_links` (`sub`);--> statement-breakpoint
CREATE INDEX `franceconnect_links_family_id_idx` ON `franceconnect_links` (`family_id`);--> statement-breakpoint
CREATE TABLE `franceconnect_pending` (
	`id` text PRIMARY KEY NOT NULL,
	`sub` text NOT NULL,
	`given_name` text NOT NULL,
	`family_name` text NOT NULL,
	`expires_at` integer NOT NULL,
	`family_id` integer,
	`code_hash` text,
	`code_expires_at` integer,
	`code_failures` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`family_id`) REFERENCES `families`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `franceconnect_pending_expires_at_idx` ON `franceconnect_pending` (`expires_at`);--> statement-breakpoint
CREATE INDEX `franceconnect_pending_family_id_idx` ON `franceconnect_pending` (`family_id`);--> statement-breakpoint
CREATE TABLE `franceconnect_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`nonce` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `franceconnect_requests_expires_at_idx` ON `franceconnect_requests` (`expires_at`);