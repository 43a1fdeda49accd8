"""`make run` (deploy/embedded.py): the platform on one machine, its processes supervised."""
