CREATE TABLE `families_import` (
	`import_key` text NOT NULL,
	`family_number` text NOT NULL,
	`last_name` text NOT NULL,
	`first_name` text NOT NULL,
	`email` text,
	PRIMARY KEY(`import_key`, `family_number`)
);
--> statement-breakpoint
ALTER TABLE `families` ADD `closed_at` integer;