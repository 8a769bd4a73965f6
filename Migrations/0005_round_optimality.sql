-- Whether a round's proposals were proven optimal within its search budget (see
-- HearthCore.ClearingSolver), recorded with the round's other figures.
ALTER TABLE rounds ADD COLUMN proven_optimal boolean;
