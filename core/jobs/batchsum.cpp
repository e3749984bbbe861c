// Placeholder until the job lands.
