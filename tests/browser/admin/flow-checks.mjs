// The editorial flow through the admin's pages (written as those pages land).
export async function flowChecks(t) {}
