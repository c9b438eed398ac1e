// The budget and rate-limit fields shared by key and team forms (LimitsInput).

export interface LimitsValue {
  rpm: string;
  tpm: string;
  maxParallelRequests: string;
  maxBudget: string;
  budgetPeriod: string;
}

export const emptyLimits = (): LimitsValue => ({ rpm: '', tpm: '', maxParallelRequests: '', maxBudget: '', budgetPeriod: 'MONTHLY' });

export function limitsFrom(limits: { rpm: number | null; tpm: number | null; maxParallelRequests: number | null; maxBudget: string | null; budgetPeriod: string | null }): LimitsValue {
  return {
    rpm: limits.rpm?.toString() ?? '',
    tpm: limits.tpm?.toString() ?? '',
    maxParallelRequests: limits.maxParallelRequests?.toString() ?? '',
    maxBudget: limits.maxBudget ?? '',
    budgetPeriod: limits.budgetPeriod ?? 'MONTHLY',
  };
}

/** Empty fields remove the limit (null), as LimitsInput documents. */
export function toLimitsInput(value: LimitsValue) {
  const int = (text: string) => (text.trim() === '' ? null : Number.parseInt(text, 10));
  const budget = value.maxBudget.trim();
  return {
    rpm: int(value.rpm),
    tpm: int(value.tpm),
    maxParallelRequests: int(value.maxParallelRequests),
    ...(budget === '' ? { maxBudget: null } : { maxBudget: budget, budgetPeriod: value.budgetPeriod }),
  };
}

export function LimitsFields(props: { value: LimitsValue; onChange(value: LimitsValue): void }) {
  const field = (name: keyof LimitsValue, label: string, placeholder: string) => (
    <label>
      {label}
      <input
        name={name}
        inputMode="decimal"
        placeholder={placeholder}
        value={props.value[name]}
        onInput={(event) => props.onChange({ ...props.value, [name]: event.currentTarget.value })}
      />
    </label>
  );
  return (
    <fieldset class="limits">
      <legend>Limits (empty = none)</legend>
      {field('rpm', 'Requests/min', 'e.g. 60')}
      {field('tpm', 'Tokens/min', 'e.g. 100000')}
      {field('maxParallelRequests', 'Parallel requests', 'e.g. 4')}
      {field('maxBudget', 'Budget (USD)', 'e.g. 25')}
      <label>
        Budget period
        <select name="budgetPeriod" value={props.value.budgetPeriod} onChange={(event) => props.onChange({ ...props.value, budgetPeriod: event.currentTarget.value })}>
          {['DAILY', 'WEEKLY', 'MONTHLY', 'LIFETIME'].map((period) => (
            <option value={period}>{period.toLowerCase()}</option>
          ))}
        </select>
      </label>
    </fieldset>
  );
}

export function describeLimits(limits: { rpm: number | null; tpm: number | null; maxParallelRequests: number | null; maxBudget: string | null; budgetPeriod: string | null }): string {
  const parts = [
    limits.rpm !== null ? `${limits.rpm} rpm` : null,
    limits.tpm !== null ? `${limits.tpm} tpm` : null,
    limits.maxParallelRequests !== null ? `${limits.maxParallelRequests} parallel` : null,
    limits.maxBudget !== null ? `$${limits.maxBudget} ${(limits.budgetPeriod ?? 'lifetime').toLowerCase()}` : null,
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'none';
}
