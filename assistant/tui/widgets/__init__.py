"""The chat screen's widgets, one per module. They only display and post messages; none
imports the app."""
