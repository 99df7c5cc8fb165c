"""runload: watch a runner's training load and warn before it turns into an injury."""

__version__ = "0.1.0"
