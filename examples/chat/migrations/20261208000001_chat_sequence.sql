-- One row numbers the messages. A post takes the next number and holds this row until it
-- commits, so numbers are taken in the order messages are stored, by any number of servers
-- sharing the database (a page catching up asks for the messages after the last id it shows).
CREATE TABLE IF NOT EXISTS chat_sequence (
    name TEXT PRIMARY KEY,
    last BIGINT NOT NULL
);

INSERT INTO chat_sequence (name, last)
SELECT 'messages', COALESCE(MAX(id), 0) FROM chat_messages
WHERE NOT EXISTS (SELECT 1 FROM chat_sequence WHERE name = 'messages');
