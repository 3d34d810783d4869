import Foundation

/// The learned second reading (``SecondReading``) within an evaluation.
extension Evaluation {
    /// The index of the first decision-table row whose conditions hold, if any.
    func firstHoldingRow() -> Int? {
        rules.rowConditions.firstIndex { holds($0.when) && ($0.whenAny.map { $0.contains(where: holds) } ?? true) }
    }

    /// Reads the item a second time where that can change the decision, and sets a fact:
    /// - the rules would send it on (an outcome `doubt` names) but it reads under
    ///   `doubt.below` like a complaint: `doubt.fact`;
    /// - the row that decides without it asks for `fact` to be absent (a "not a
    ///   complaint" row) or comes after a row that asks for it to hold, and it reads at
    ///   least `threshold` like a complaint: `fact`.
    /// Other items are not read: the decision is the same as reading every item.
    mutating func readSecondTimeWhereItMatters() {
        guard let settings = ruleSet.table.secondReading, let model = ruleSet.secondReading,
              let deciding = firstHoldingRow() else { return }
        holdingRow = deciding
        let doubt = settings.doubt.flatMap { $0.outcomes.contains(ruleSet.table.rows[deciding].outcome) ? $0 : nil }
        guard doubt != nil || rules.rowsAskingSecondReading[deciding]
            || rules.firstRowNeedingSecondReading.map({ deciding > $0 }) == true else { return }
        let indexes = secondReadingIndexes(settings.segments)
        let maxWords = settings.maxWords ?? .max
        let probability = SecondReading.sigmoid(model.logit(of: indexes, maxWords: maxWords, numbering: rules.secondReadingNumbering))
        func percent(_ p: Double, _ rule: FloatingPointRoundingRule) -> Int { Int((p * 100).rounded(rule)) }
        if let doubt {
            guard probability < doubt.below else { return }
            derived[doubt.fact] = ["true"]
            holdingRow = nil
            caseworkerNotes.append("Read as a whole, it does not read like a complaint: the second reading, learned from the labelled corpus, gives "
                + "\(percent(probability, .up))% (doubt below \(percent(doubt.below, .toNearestOrAwayFromZero))%).")
            return
        }
        guard probability >= settings.threshold else { return }
        derived[settings.fact] = ["true"]
        holdingRow = nil
        // The words behind it, only for the items it stops (building them is the slow path).
        let features = SecondReading.features(of: indexes, maxWords: maxWords)
        let words = model.strongest(features, count: 6).map { "\"" + $0.quote.split(whereSeparator: \.isWhitespace).joined(separator: " ") + "\"" }
        caseworkerNotes.append("Read as a whole, it reads like a complaint: the second reading, learned from the labelled corpus, gives "
            + "\(percent(probability, .down))% (threshold \(percent(settings.threshold, .toNearestOrAwayFromZero))%), most of all for "
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
