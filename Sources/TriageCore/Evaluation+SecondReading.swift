import Foundation

/// The learned second reading (``SecondReading``) within an evaluation.
extension Evaluation {
    /// The index of the first decision-table row whose conditions hold, if any.
    func firstHoldingRow() -> Int? {
        ruleSet.table.rows.firstIndex { holds($0.when) && ($0.whenAny.map { $0.contains(where: holds) } ?? true) }
    }

    /// Sets the second reading's fact when the item reads like a complaint.
    ///
    /// The reading is done only when it can change the decision: when the row
    /// that decides without it asks for the fact to be absent (a "not a
    /// complaint" row), or comes after a row that asks for it to hold. That
    /// gives the same decision as reading every item, for a fraction of the work.
    mutating func readSecondTimeWhereItMatters() {
        guard let settings = ruleSet.table.secondReading, let model = ruleSet.secondReading,
              let deciding = firstHoldingRow() else { return }
        holdingRow = deciding
        if let doubt = settings.doubt, doubt.outcomes.contains(ruleSet.table.rows[deciding].outcome) {
            // The other direction: the rules would send it on; does it read like a complaint at all?
            let indexes = secondReadingIndexes(settings.segments)
            let probability = SecondReading.sigmoid(model.logit(of: indexes, maxWords: settings.maxWords ?? .max))
            guard probability < doubt.below else { return }
            derived[doubt.fact] = ["true"]
            holdingRow = nil
            caseworkerNotes.append("Read as a whole, it does not read like a complaint: the second reading, learned from the labelled corpus, gives "
                + "\(Int((probability * 100).rounded(.up)))% (doubt below \(Int((doubt.below * 100).rounded()))%).")
            return
        }
        guard rules.rowsAskingSecondReading[deciding] || rules.firstRowNeedingSecondReading.map({ deciding > $0 }) == true else { return }
        let indexes = secondReadingIndexes(settings.segments)
        let probability = SecondReading.sigmoid(model.logit(of: indexes, maxWords: settings.maxWords ?? .max))
        guard probability >= settings.threshold else { return }
        derived[settings.fact] = ["true"]
        holdingRow = nil
        // The words behind it, only for the items it stops (building them is the slow path).
        let features = SecondReading.features(of: indexes, maxWords: settings.maxWords ?? .max)
        let words = model.strongest(features, count: 6).map { "\"" + $0.quote.split(whereSeparator: \.isWhitespace).joined(separator: " ") + "\"" }
        caseworkerNotes.append("Read as a whole, it reads like a complaint: the second reading, learned from the labelled corpus, gives "
            + "\(Int((probability * 100).rounded(.down)))% (threshold \(Int((settings.threshold * 100).rounded()))%), most of all for "
            + words.joined(separator: ", ") + ".")
    }

    /// The indexed texts of `segments`: the views already built where a rule
    /// reads the segment, the others indexed here.
    func secondReadingIndexes(_ segments: [String]) -> [TextIndex] {
        let wanted = Set(segments)
        var indexes = views.filter { wanted.contains($0.segment) }.map(\.index)
        let built = Set(views.map(\.segment))
        var slicer = ScalarSlicer(item.body.text)
        for segment in item.body.segments where wanted.contains(segment.kind.rawValue) && !built.contains(segment.kind.rawValue) {
            indexes.append(rules.index(slicer.text(from: segment.start, to: segment.end), baseOffset: segment.start))
        }
        if wanted.contains("subject"), !built.contains("subject"), let subject = item.subject, !subject.isEmpty {
            indexes.append(rules.index(subject))
        }
        return indexes
    }
}

extension Classifier {
    /// The second reading's features of `item`, read from the segments the
    /// decision table names (for `triage rules learn`); empty without settings.
    public func secondReadingFeatures(_ item: Correspondence) -> [SecondReading.Feature] {
        guard let settings = rules.ruleSet.table.secondReading else { return [] }
        var run = Evaluation(rules: rules, item: item, received: item.date?.value)
        run.buildViews()
        return SecondReading.features(of: run.secondReadingIndexes(settings.segments), maxWords: settings.maxWords ?? .max)
    }

    /// The same classifier with another second reading (for cross-validation).
    public func replacingSecondReading(_ model: SecondReading?) -> Classifier {
        Classifier(rules.replacingSecondReading(model))
    }
}
