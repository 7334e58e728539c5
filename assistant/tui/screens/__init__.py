"""The chat app's screens: the chat itself, a source in full, pickers, the keys."""
