"""The scoring service: model versions, requirement profiles, progress projections and the
certificate lifecycle of each library. The pure rules live in `scoring.domain`."""
