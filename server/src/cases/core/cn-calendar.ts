/**
 * The national holiday calendar of mainland China (国务院办公厅关于部分节假日安排的通知), as published each
 * November for the next year: days off that fall on weekdays, and the weekend days that are worked in
 * exchange (调休上班). Add a year when the State Council publishes it; sites add local days through
 * configuration (`YC_HOLIDAYS`, `YC_EXTRA_WORKDAYS`).
 */
export interface HolidayYear {
  /** Every day off of the holidays, weekends inside a holiday included (harmless: they are off anyway). */
  holidays: readonly string[];
  /** Weekend days that are working days (调休上班). */
  workdays: readonly string[];
}

const range = (from: string, days: number): string[] => {
  const [y, m, d] = from.split('-').map(Number) as [number, number, number];
  return Array.from({ length: days }, (_, i) => new Date(Date.UTC(y, m - 1, d + i)).toISOString().slice(0, 10));
};

/** 国办发明电〔2024〕12号 (2025), 2025年11月4日通知 (2026). */
export const CN_HOLIDAYS: Readonly<Record<number, HolidayYear>> = Object.freeze({
  2025: {
    holidays: [
      '2025-01-01',
      ...range('2025-01-28', 8), // 春节 1.28–2.4
      ...range('2025-04-04', 3), // 清明
      ...range('2025-05-01', 5), // 劳动节
      ...range('2025-05-31', 3), // 端午
      ...range('2025-10-01', 8), // 国庆、中秋
    ],
    workdays: ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'],
  },
  2026: {
    holidays: [
      ...range('2026-01-01', 3), // 元旦
      ...range('2026-02-15', 9), // 春节 2.15–2.23
      ...range('2026-04-04', 3), // 清明
      ...range('2026-05-01', 5), // 劳动节
      ...range('2026-06-19', 3), // 端午
      ...range('2026-09-25', 3), // 中秋
      ...range('2026-10-01', 7), // 国庆
    ],
    workdays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
  },
});
